// Anthropic Messages API: POST {base_url}/messages, the schema as output_config.format, and the
// system prompt marked for prompt caching (it is the same on every call).
#pragma once

#include "provider.hpp"

namespace orchestrade::llm {

class AnthropicProvider final : public Provider {
  public:
    AnthropicProvider(ProviderSettings settings, const sdk::Host& host);
    const char* name() const override { return "anthropic"; }
    std::string identity() const override { return name(); }
    std::string payload(const ChatRequest& request) const override;
    Reply send(const std::string& payload) override;

  private:
    ProviderSettings s_;
    sdk::Host host_;
};

}  // namespace orchestrade::llm
