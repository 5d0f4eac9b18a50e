#include "yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace orchestrade::core {
namespace {

struct SecondDocument {
    YAML::Mark mark;
};

// Ignores every event but the start of a document, and stops at the second one.
class DocumentCounter : public YAML::EventHandler {
  public:
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++documents_ == 2) throw SecondDocument{mark};
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

  private:
    int documents_ = 0;
};

}  // namespace

std::optional<YAML::Mark> second_document(const std::string& yaml_text) {
    std::istringstream in(yaml_text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    try {
        while (parser.HandleNextDocument(counter)) {
        }
    } catch (const SecondDocument& second) {
        return second.mark;
    }
    return std::nullopt;
}

}  // namespace orchestrade::core
