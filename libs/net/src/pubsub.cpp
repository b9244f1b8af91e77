// SPDX-License-Identifier: Apache-2.0
#include "baylink/net/pubsub.h"

#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

namespace baylink::net {
namespace {

using core::Errc;
using Clock = std::chrono::steady_clock;

core::Error ZmqError(const std::string& what) {
  return core::Fail(Errc::kIo, what + ": " + zmq_strerror(zmq_errno()));
}

// A context with one socket, closed with linger 0 (queued messages are dropped, so closing
// never waits for a peer).
struct ZmqSocket {
  void* context = nullptr;
  void* socket = nullptr;

  ZmqSocket() = default;
  ZmqSocket(const ZmqSocket&) = delete;
  ZmqSocket& operator=(const ZmqSocket&) = delete;
  ~ZmqSocket() {
    if (socket != nullptr) zmq_close(socket);
    if (context != nullptr) {
      while (zmq_ctx_term(context) != 0 && zmq_errno() == EINTR) {
      }
    }
  }

  // Creates the context and a socket of `type` with linger 0 and high-water mark `hwm_option`
  // set to `hwm`. `what` names the socket in errors.
  core::Status Open(int type, int hwm_option, int hwm, const std::string& what) {
    context = zmq_ctx_new();
    if (context == nullptr) return ZmqError(what + ": cannot create a ZeroMQ context");
    socket = zmq_socket(context, type);
    if (socket == nullptr) return ZmqError(what + ": cannot create a ZeroMQ socket");
    const int linger = 0;
    if (zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(socket, hwm_option, &hwm, sizeof hwm) != 0) {
      return ZmqError(what + ": cannot set socket options");
    }
    return core::Ok();
  }
};

// ZeroMQ copies the frame; an empty frame still needs a valid pointer.
const void* FrameData(const void* data, std::size_t size) { return size == 0 ? "" : data; }

}  // namespace

struct Publisher::Impl {
  std::mutex mutex;  // guards sends on `zmq`: ZeroMQ sockets are not thread-safe
  ZmqSocket zmq;
};

Publisher::Publisher(std::unique_ptr<Impl> impl, std::string endpoint)
    : m_impl(std::move(impl)), m_endpoint(std::move(endpoint)) {}

Publisher::~Publisher() = default;

core::Result<std::unique_ptr<Publisher>> Publisher::Bind(const std::string& endpoint,
                                                         int send_hwm) {
  if (send_hwm < 0) return core::Fail(Errc::kInvalidArgument, "send_hwm must not be negative");
  const std::string what = "publisher on '" + endpoint + "'";
  auto impl = std::make_unique<Impl>();
  BAYLINK_TRY(impl->zmq.Open(ZMQ_PUB, ZMQ_SNDHWM, send_hwm, what));
  if (zmq_bind(impl->zmq.socket, endpoint.c_str()) != 0) {
    return ZmqError("cannot bind " + what);
  }
  char bound[1024];
  std::size_t size = sizeof bound;
  if (zmq_getsockopt(impl->zmq.socket, ZMQ_LAST_ENDPOINT, bound, &size) != 0) {
    return ZmqError(what + ": cannot read the bound endpoint");
  }
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl), std::string(bound)));
}

core::Status Publisher::Publish(std::string_view topic, core::ByteView payload) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  void* socket = m_impl->zmq.socket;
  // PUB never blocks (a full queue drops), so ZMQ_DONTWAIT changes nothing but says so. The
  // two frames go out together or not at all: ZeroMQ delivers multipart messages whole.
  if (zmq_send(socket, FrameData(topic.data(), topic.size()), topic.size(),
               ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
      zmq_send(socket, FrameData(payload.data(), payload.size()), payload.size(),
               ZMQ_DONTWAIT) < 0) {
    return ZmqError("cannot publish on " + m_endpoint);
  }
  return core::Ok();
}

struct Subscriber::Impl {
  ZmqSocket zmq;
  std::string endpoint;
};

Subscriber::Subscriber(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Subscriber::~Subscriber() = default;

core::Result<std::unique_ptr<Subscriber>> Subscriber::Connect(
    const std::string& endpoint, const std::vector<std::string>& topics, int recv_hwm) {
  return ConnectAll(std::vector<std::string>{endpoint}, topics, recv_hwm, -1);
}

core::Result<std::unique_ptr<Subscriber>> Subscriber::ConnectAll(
    const std::vector<std::string>& endpoints, const std::vector<std::string>& topics,
    int recv_hwm, std::int64_t max_message_bytes) {
  if (recv_hwm < 0) return core::Fail(Errc::kInvalidArgument, "recv_hwm must not be negative");
  if (endpoints.empty()) {
    return core::Fail(Errc::kInvalidArgument, "a subscriber needs at least one endpoint");
  }
  std::string names;
  for (const std::string& endpoint : endpoints) {
    names += (names.empty() ? "'" : ", '") + endpoint + "'";
  }
  const std::string what = "subscriber to " + names;
  auto impl = std::make_unique<Impl>();
  impl->endpoint = names;
  BAYLINK_TRY(impl->zmq.Open(ZMQ_SUB, ZMQ_RCVHWM, recv_hwm, what));
  if (max_message_bytes >= 0 &&
      zmq_setsockopt(impl->zmq.socket, ZMQ_MAXMSGSIZE, &max_message_bytes,
                     sizeof max_message_bytes) != 0) {
    return ZmqError(what + ": cannot set the message size bound");
  }
  for (const std::string& topic : topics) {
    if (zmq_setsockopt(impl->zmq.socket, ZMQ_SUBSCRIBE, FrameData(topic.data(), topic.size()),
                       topic.size()) != 0) {
      return ZmqError(what + ": cannot subscribe to '" + topic + "'");
    }
  }
  for (const std::string& endpoint : endpoints) {
    if (zmq_connect(impl->zmq.socket, endpoint.c_str()) != 0) {
      return ZmqError("cannot connect the subscriber to '" + endpoint + "'");
    }
  }
  return std::unique_ptr<Subscriber>(new Subscriber(std::move(impl)));
}

core::Result<std::optional<PubSubMessage>> Subscriber::Receive(
    std::chrono::milliseconds timeout) {
  void* socket = m_impl->zmq.socket;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    zmq_pollitem_t item{socket, 0, ZMQ_POLLIN, 0};
    const int ready = zmq_poll(&item, 1, std::max<long>(0, static_cast<long>(left.count())));
    if (ready < 0) {
      if (zmq_errno() == EINTR) continue;
      return ZmqError("cannot poll the subscriber to " + m_impl->endpoint);
    }
    if (ready == 0) return std::optional<PubSubMessage>();

    // Read every frame of the message, keeping the first two.
    PubSubMessage message;
    std::size_t count = 0;
    bool more = true;
    while (more) {
      zmq_msg_t frame;
      zmq_msg_init(&frame);
      if (zmq_msg_recv(&frame, socket, ZMQ_DONTWAIT) < 0) {
        const int error = zmq_errno();
        zmq_msg_close(&frame);
        if (error == EINTR) continue;
        // Readiness without a message (a filtered one, say): wait again.
        if (error == EAGAIN && count == 0) break;
        return ZmqError("cannot receive on the subscriber to " + m_impl->endpoint);
      }
      const auto* data = static_cast<const std::uint8_t*>(zmq_msg_data(&frame));
      if (count == 0) {
        message.topic.assign(reinterpret_cast<const char*>(data), zmq_msg_size(&frame));
      }
      if (count == 1) message.payload.assign(data, data + zmq_msg_size(&frame));
      ++count;
      more = zmq_msg_more(&frame) != 0;
      zmq_msg_close(&frame);
    }
    if (count == 2) {
      return std::optional<PubSubMessage>(std::move(message));
    }
    if (count != 0) ++m_malformed;
  }
}

}  // namespace baylink::net
