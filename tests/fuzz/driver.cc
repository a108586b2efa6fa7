// Standalone driver for the fuzz targets when libFuzzer is not in use: runs
// every file of the seed corpus, then SSTREAM_FUZZ_RUNS deterministic random
// mutations of them (byte flips, truncations, splices, inserted bytes). A
// crash, sanitizer report or hang fails the test.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

uint64_t g_state = 0x9E3779B97F4A7C15ull;
uint64_t Rand() {
  g_state ^= g_state >> 12;
  g_state ^= g_state << 25;
  g_state ^= g_state >> 27;
  return g_state * 0x2545F4914F6CDD1Dull;
}

void Run(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    DIR* d = opendir(argv[i]);
    if (d == nullptr) {
      std::fprintf(stderr, "cannot open corpus directory %s\n", argv[i]);
      return 1;
    }
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream f(std::string(argv[i]) + "/" + e->d_name, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      corpus.push_back(ss.str());
    }
    closedir(d);
  }
  if (corpus.empty()) corpus.push_back("");
  for (const auto& c : corpus) Run(c);
  const char* runs_env = std::getenv("SSTREAM_FUZZ_RUNS");
  long runs = runs_env ? std::atol(runs_env) : 10000;
  static const char kInteresting[] = "{}[]\":,\\\n\r 0123456789.-+eE@'`()=<>!\x89\xff\x00";
  for (long r = 0; r < runs; ++r) {
    std::string s = corpus[Rand() % corpus.size()];
    int edits = 1 + static_cast<int>(Rand() % 8);
    for (int k = 0; k < edits; ++k) {
      size_t pos = s.empty() ? 0 : Rand() % (s.size() + 1);
      switch (Rand() % 6) {
        case 0:
          if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(Rand());
          break;
        case 1: s.insert(pos, 1, kInteresting[Rand() % (sizeof(kInteresting) - 1)]); break;
        case 2: s.resize(pos); break;
        case 3:
          if (pos < s.size()) s.erase(pos, 1 + Rand() % 8);
          break;
        case 4: {
          const std::string& other = corpus[Rand() % corpus.size()];
          if (!other.empty()) s.insert(pos, other.substr(Rand() % other.size(), 16));
          break;
        }
        case 5:
          if (!s.empty() && pos < s.size()) s[pos] ^= static_cast<char>(1u << (Rand() % 8));
          break;
      }
    }
    Run(s);
  }
  std::printf("%zu corpus inputs and %ld mutations: no crash\n", corpus.size(), runs);
  return 0;
}
