// The `command` provider: runs a command-line client with the prompt on stdin and reads its
// answer from stdout. This is the one place the plugin starts a process. Made for
// `claude -p --output-format json` (whose result object carries the answer, usage and cost);
// any other program may print the answer itself.
#pragma once

#include "host_stop.hpp"
#include "provider.hpp"

namespace orchestrade::llm {

class CommandProvider final : public Provider {
  public:
    CommandProvider(ProviderSettings settings, const sdk::Host& host);
    const char* name() const override { return "command"; }
    std::string identity() const override;
    std::string payload(const ChatRequest& request) const override;
    Reply send(const std::string& payload) override;

  private:
    ProviderSettings s_;
    std::vector<std::string> argv_;  // with {model} and {schema} substituted
    HostStop stop_;
};

}  // namespace orchestrade::llm
