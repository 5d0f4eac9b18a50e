// A stand-in for `claude -p --output-format json`: reads the prompt on stdin and prints a result
// object. Usage: fake_llm_cli <state-dir> [args...]. Each call is counted in <state-dir>/calls.log,
// its prompt kept in prompt-<n>.txt and its arguments in args-<n>.txt; line n of <state-dir>/script
// (if any) chooses the answer, else day_policy does for an llm_day prompt, trade_policy for others
// (a file <state-dir>/no_cost leaves total_cost_usd out of the result, as some CLIs do; a file
// <state-dir>/cost holds the JSON value it states instead of 0.001):
//   @hang          never answers            @exit        exits 3 with a message on stderr
//   @is-error      an error result          @rate-limit  an error result about a 429
//   @plain:<text>  prints <text> as it is   <text>       <text> as the model's answer
//   @api-error:<text>  as the real CLI after an API error: exits 1 with an error result of <text>
//                      costing $0 on stdout, and nothing on stderr
#include "day_policy.hpp"
#include "trade_policy.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

using json = nlohmann::json;

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

json result(const std::string& text, bool is_error) {
    return {{"type", "result"},
            {"subtype", is_error ? "error_during_execution" : "success"},
            {"is_error", is_error},
            {"duration_ms", 5},
            {"num_turns", 1},
            {"result", text},
            {"session_id", "fake-session"},
            {"total_cost_usd", 0.001},
            {"usage",
             {{"input_tokens", 900},
              {"output_tokens", 60},
              {"cache_read_input_tokens", 0},
              {"cache_creation_input_tokens", 0}}}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: fake_llm_cli <state-dir> [args...]\n";
        return 2;
    }
    const std::string dir = argv[1];
    std::string prompt((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
    const std::size_t n = read_lines(dir + "/calls.log").size();
    std::ofstream(dir + "/calls.log", std::ios::app) << "call\n";
    std::ofstream(dir + "/prompt-" + std::to_string(n) + ".txt") << prompt;
    std::ofstream args(dir + "/args-" + std::to_string(n) + ".txt");
    for (int i = 2; i < argc; ++i)
        args << argv[i] << "\n";

    std::vector<std::string> script = read_lines(dir + "/script");
    std::string line = n < script.size() ? script[n] : "";
    namespace fake = orchestrade::testing::llm;
    if (line.empty())
        line = fake::is_day_prompt(prompt) ? fake::day_answer(prompt, dir)
                                           : fake::policy_answer(prompt);
    if (line == "@hang") {
        std::this_thread::sleep_for(std::chrono::seconds(30));
        return 0;
    }
    if (line == "@exit") {
        std::cerr << "fake_llm_cli: boom\n";
        return 3;
    }
    if (line == "@is-error") {
        std::cout << result("something went wrong", true).dump() << "\n";
        return 0;
    }
    if (line == "@rate-limit") {
        std::cout << result("API Error: 429 rate limit exceeded", true).dump() << "\n";
        return 0;
    }
    if (line.rfind("@api-error:", 0) == 0) {
        json error = result(line.substr(11), true);
        error["subtype"] = "success";  // the real CLI's: the session ran, the API call failed
        error["total_cost_usd"] = 0;
        std::cout << error.dump() << "\n";
        return 1;
    }
    if (line.rfind("@plain:", 0) == 0) {
        std::cout << line.substr(7) << "\n";
        return 0;
    }
    json answer = result(line, false);
    if (std::ifstream(dir + "/no_cost")) answer.erase("total_cost_usd");
    if (std::ifstream cost{dir + "/cost"}) answer["total_cost_usd"] = json::parse(cost);
    std::cout << answer.dump() << "\n";
    return 0;
}
