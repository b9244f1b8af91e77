// SPDX-License-Identifier: Apache-2.0
//
// Publish/subscribe over ZeroMQ PUB/SUB sockets: the node's event stream (DESIGN §8: relayers
// follow each chain's events). ZeroMQ stays behind this header.
//
// A message is two frames, [topic][payload]. Subscribers choose topics by prefix. Delivery is
// in order per publisher but not guaranteed: a subscriber that connects late misses what was
// sent before its subscription reached the publisher, and a slow one loses messages once its
// queue is full. Consumers therefore number their events and fetch gaps by other means.
// Each Publisher and Subscriber owns its ZeroMQ context and closes with linger 0 (messages
// still queued when it is destroyed are dropped).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::net {

struct PubSubMessage {
  std::string topic;
  core::Bytes payload;
};

// Thread safety: every method may be called from any thread (an internal mutex serialises
// sends).
class Publisher {
 public:
  // Binds a PUB socket to `endpoint`, e.g. "tcp://127.0.0.1:0" (an ephemeral port, see
  // endpoint()) or "tcp://127.0.0.1:7001". `send_hwm`: messages queued per subscriber before
  // further ones are dropped for it.
  // Errors: kInvalidArgument when send_hwm < 0; kIo naming the endpoint and ZeroMQ's reason
  // (bad endpoint syntax, address in use, ...).
  static core::Result<std::unique_ptr<Publisher>> Bind(const std::string& endpoint,
                                                       int send_hwm = 10000);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // The bound endpoint with the real port, e.g. "tcp://127.0.0.1:41234".
  std::string endpoint() const { return m_endpoint; }

  // Sends [topic][payload] to every subscriber whose prefix matches `topic`. Never blocks:
  // a subscriber whose queue is full does not get the message (as PUB does).
  // Errors: kIo with ZeroMQ's reason.
  core::Status Publish(std::string_view topic, core::ByteView payload);

 private:
  struct Impl;
  Publisher(std::unique_ptr<Impl> impl, std::string endpoint);
  std::unique_ptr<Impl> m_impl;
  std::string m_endpoint;
};

// Thread safety: Receive from one thread at a time; malformed_count from any thread.
class Subscriber {
 public:
  // Connects a SUB socket to `endpoint` and subscribes to each topic prefix in `topics` (""
  // subscribes to everything; no topics receives nothing). The connection is made in the
  // background and re-made if it drops; a publisher need not be up yet. `recv_hwm`: messages
  // queued before further ones are dropped.
  // Errors: kInvalidArgument when recv_hwm < 0; kIo naming the endpoint and ZeroMQ's reason.
  static core::Result<std::unique_ptr<Subscriber>> Connect(const std::string& endpoint,
                                                           const std::vector<std::string>& topics,
                                                           int recv_hwm = 100000);
  // The same over several publishers at once (messages of all of them interleave; each one's
  // stay in order). `max_message_bytes` >= 0: a peer that sends a larger frame is
  // disconnected by ZeroMQ before the frame is buffered (it reconnects later); -1: no bound.
  // Errors: as Connect; kInvalidArgument for no endpoints.
  static core::Result<std::unique_ptr<Subscriber>> ConnectAll(
      const std::vector<std::string>& endpoints, const std::vector<std::string>& topics,
      int recv_hwm = 100000, std::int64_t max_message_bytes = -1);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // The next message, or nullopt when none arrived within `timeout` (0: only what is already
  // queued). A message that is not exactly two frames is discarded and counted in
  // malformed_count(), never returned. Errors: kIo with ZeroMQ's reason.
  core::Result<std::optional<PubSubMessage>> Receive(std::chrono::milliseconds timeout);

  // The number of messages discarded by Receive for not being two frames.
  std::uint64_t malformed_count() const { return m_malformed.load(); }

 private:
  struct Impl;
  explicit Subscriber(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
  std::atomic<std::uint64_t> m_malformed{0};
};

}  // namespace baylink::net
