// OpenAI-compatible Chat Completions (OpenAI, OpenRouter, Ollama, llama.cpp server, vLLM):
// POST {base_url}/chat/completions with the schema as a nested json_schema response_format.
#pragma once

#include "provider.hpp"

namespace orchestrade::llm {

class OpenAiProvider final : public Provider {
  public:
    OpenAiProvider(ProviderSettings settings, const sdk::Host& host);
    const char* name() const override { return "openai"; }
    std::string identity() const override { return name(); }
    std::string payload(const ChatRequest& request) const override;
    Reply send(const std::string& payload) override;

  private:
    ProviderSettings s_;
    sdk::Host host_;
};

}  // namespace orchestrade::llm
