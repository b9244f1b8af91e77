// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace baylink::chain {

core::Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Fail(core::Errc::kIo, "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::string content;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_bytes) {
      return core::Fail(core::Errc::kOversized, path.string() + " is larger than " +
                                                    std::to_string(max_bytes) + " bytes");
    }
  }
  return content;
}

core::Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content,
                             unsigned mode) {
  const std::filesystem::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return core::Fail(core::Errc::kIo, "cannot create " + temp.string() + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return core::Fail(core::Errc::kIo, "cannot write " + temp.string() + ": " + reason);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return core::Fail(core::Errc::kIo, "cannot sync " + temp.string() + ": " + reason);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return core::Fail(core::Errc::kIo, "cannot rename " + temp.string() + " to " + path.string() +
                                           ": " + std::strerror(errno));
  }
  return core::Ok();
}

}  // namespace baylink::chain
