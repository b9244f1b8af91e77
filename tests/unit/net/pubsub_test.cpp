// SPDX-License-Identifier: Apache-2.0
//
// The behaviour pubsub.h specifies. A subscriber only receives what is published after its
// subscription reached the publisher, so each test first publishes probes until one arrives.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "baylink/net/pubsub.h"
#include "raw_socket.h"

namespace baylink::net::testing {
namespace pubsub_test {
namespace {

using core::Errc;
using namespace std::chrono_literals;

std::unique_ptr<Publisher> BindPublisher() {
  auto publisher = Publisher::Bind("tcp://127.0.0.1:0");
  REQUIRE_MESSAGE(publisher, publisher.error().Message());
  return std::move(publisher).value();
}

std::unique_ptr<Subscriber> ConnectSubscriber(const std::string& endpoint,
                                              const std::vector<std::string>& topics) {
  auto subscriber = Subscriber::Connect(endpoint, topics);
  REQUIRE_MESSAGE(subscriber, subscriber.error().Message());
  return std::move(subscriber).value();
}

// Publishes `probe_topic` until the subscriber receives one (its subscription is then in place
// at the publisher, and everything published afterwards reaches it in order).
void WaitUntilSubscribed(Publisher& publisher, Subscriber& subscriber,
                         const std::string& probe_topic) {
  const bool subscribed = Eventually([&] {
    REQUIRE(publisher.Publish(probe_topic, {}));
    auto received = subscriber.Receive(20ms);
    REQUIRE(received);
    return received->has_value();
  });
  REQUIRE(subscribed);
}

// The next message whose topic is not `skip` (late probes), or nullopt after a generous wait.
std::optional<PubSubMessage> NextExcept(Subscriber& subscriber, const std::string& skip) {
  for (;;) {
    auto received = subscriber.Receive(kPatience);
    REQUIRE(received);
    if (!received->has_value() || (*received)->topic != skip) return std::move(*received);
  }
}

TEST_CASE("a subscriber receives what a publisher sends, in order, on the real bound port") {
  auto publisher = BindPublisher();
  CHECK(publisher->endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK(publisher->endpoint() != "tcp://127.0.0.1:0");
  auto subscriber = ConnectSubscriber(publisher->endpoint(), {""});
  WaitUntilSubscribed(*publisher, *subscriber, "probe");

  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) {
    REQUIRE(publisher->Publish("event", core::AsBytes(std::to_string(i))));
  }
  for (int i = 0; i < kCount; ++i) {
    const auto message = NextExcept(*subscriber, "probe");
    REQUIRE(message);
    CHECK(message->topic == "event");
    CHECK(message->payload == core::ToBytes(std::to_string(i)));
  }
  CHECK(subscriber->malformed_count() == 0);
}

TEST_CASE("a subscriber receives only the topics that start with one of its prefixes") {
  auto publisher = BindPublisher();
  auto subscriber = ConnectSubscriber(publisher->endpoint(), {"blocks", "sync"});
  WaitUntilSubscribed(*publisher, *subscriber, "sync");

  for (const char* topic : {"txs", "blocks/1", "tx", "blocksX", "", "block", "blocks/end"}) {
    REQUIRE(publisher->Publish(topic, core::AsBytes(topic)));
  }
  std::vector<std::string> topics;
  while (topics.empty() || topics.back() != "blocks/end") {
    const auto message = NextExcept(*subscriber, "sync");
    REQUIRE(message);
    CHECK(message->payload == core::ToBytes(message->topic));
    topics.push_back(message->topic);
  }
  CHECK(topics == std::vector<std::string>{"blocks/1", "blocksX", "blocks/end"});
}

TEST_CASE("a subscriber with nothing to receive returns nothing after its timeout") {
  auto publisher = BindPublisher();
  auto subscriber = ConnectSubscriber(publisher->endpoint(), {""});
  auto received = subscriber->Receive(0ms);
  REQUIRE(received);
  CHECK_FALSE(received->has_value());
  received = subscriber->Receive(50ms);
  REQUIRE(received);
  CHECK_FALSE(received->has_value());
}

// A ZeroMQ publisher written by hand (ZMTP 3.0, NULL security; rfc.zeromq.org/spec/23), so a
// test can send messages that are not two frames, which Publisher never does.
std::string ZmtpGreetingAndReady() {
  std::string out;
  out += '\xff';
  out.append(8, '\0');
  out += '\x7f';
  out += '\x03';  // version 3.0
  out += '\x00';
  out += "NULL";
  out.append(16, '\0');  // mechanism, 20 octets
  out += '\x00';         // as-server
  out.append(31, '\0');  // filler
  const std::string ready = std::string("\x05READY") + "\x0bSocket-Type" +
                            std::string("\x00\x00\x00\x03", 4) + "PUB";
  out += '\x04';  // a short command
  out += static_cast<char>(ready.size());
  return out + ready;
}

// One message of the given frames (each under 256 bytes).
std::string ZmtpMessage(const std::vector<std::string>& frames) {
  std::string out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    out += i + 1 < frames.size() ? '\x01' : '\x00';  // MORE on all but the last
    out += static_cast<char>(frames[i].size());
    out += frames[i];
  }
  return out;
}

TEST_CASE("a subscriber discards and counts messages that are not two frames") {
  RawSocket listener = RawSocket::Listen();
  auto subscriber =
      ConnectSubscriber("tcp://127.0.0.1:" + std::to_string(listener.port()), {""});
  RawSocket peer = listener.Accept();
  REQUIRE(peer.Send(ZmtpGreetingAndReady()));
  // libzmq takes messages only once the handshake is over on its side too: wait for its
  // greeting (64 octets) and its READY (a short command: flags, size, body).
  const std::string handshake = peer.ReadUntil([](const std::string& r) {
    return r.size() >= 66 && r.size() >= 66u + static_cast<unsigned char>(r[65]);
  });
  REQUIRE(handshake.size() >= 66);
  REQUIRE(handshake[64] == '\x04');
  // Messages on one connection arrive in order: when the last arrives, so have the others.
  REQUIRE(peer.Send(ZmtpMessage({"only-a-topic"})));
  REQUIRE(peer.Send(ZmtpMessage({"topic", "payload", "extra"})));
  REQUIRE(peer.Send(ZmtpMessage({"topic", "payload"})));

  auto received = subscriber->Receive(kPatience);
  REQUIRE(received);
  REQUIRE(received->has_value());
  CHECK((*received)->topic == "topic");
  CHECK((*received)->payload == core::ToBytes("payload"));
  CHECK(subscriber->malformed_count() == 2);
}

TEST_CASE("binding and connecting report bad endpoints and a port in use") {
  auto bad = Publisher::Bind("bogus://nowhere");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::kIo);
  CHECK(bad.error().detail.find("bogus://nowhere") != std::string::npos);

  auto publisher = BindPublisher();
  auto twice = Publisher::Bind(publisher->endpoint());
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Errc::kIo);
  CHECK(twice.error().detail.find(publisher->endpoint()) != std::string::npos);

  auto subscriber = Subscriber::Connect("tcp://", {""});
  REQUIRE_FALSE(subscriber);
  CHECK(subscriber.error().code == Errc::kIo);
  CHECK(Publisher::Bind("tcp://127.0.0.1:0", -1).error().code == Errc::kInvalidArgument);
}

}  // namespace
}  // namespace pubsub_test
}  // namespace baylink::net::testing
