// `hyseis pick` through run_pick_command: MiniSEED in (written here, by our writer and by
// libmseed's msr_pack directly), picks out as CSV + QuakeML; bad input (corrupt, truncated, NaN,
// sampling-rate mismatch, a model that does not take 3 channels) is an error naming the file and
// leaves no output file.
#include <gtest/gtest.h>
#include <libmseed.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/core/mseed.hpp"
#include "hyseis/learning/picking/continuous.hpp"
#include "hyseis/learning/picking/deep.hpp"
#include "hyseis/learning/picking/picks_io.hpp"
#include "hyseis/solvers/signal.hpp"
#include "pick_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace fs = std::filesystem;
namespace ms = hyseis::core::mseed;
namespace pk = hyseis::learning::picking;
using hyseis::scenarios::PickArgs;
using hyseis::scenarios::run_pick_command;

namespace {

fs::path tmpdir() {
  const fs::path d = fs::temp_directory_path() / ("hyseis_test_pick_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

const std::int64_t T0 = 1500000000LL * 1000000LL;  // 2017-07-14T02:40:00Z
constexpr double kOnset = 70.0;                     // s after T0

// Three components at fs: white noise (sd 1, integers after scaling) plus, from kOnset, a
// decaying 5 Hz burst 30x the noise on Z (weaker on N/E). Integer samples -> Steim-2.
// Same picks in the same order: time, phase, station; scores within `tol` (CSV rounds them).
void expect_same_picks(const std::vector<pk::Pick>& got, const std::vector<pk::Pick>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].time_us, want[i].time_us);
    EXPECT_EQ(got[i].phase, want[i].phase);
    EXPECT_EQ(got[i].station, want[i].station);
    EXPECT_NEAR(got[i].score, want[i].score, tol);
  }
}

std::vector<ms::Segment> station(double fs, double seconds, const std::string& sta, std::uint64_t seed) {
  std::vector<ms::Segment> out;
  std::mt19937_64 r(seed);
  std::normal_distribution<double> N(0, 100);
  const auto n = static_cast<std::size_t>(seconds * fs);
  const char* comps = "ZNE";
  for (int c = 0; c < 3; ++c) {
    ms::Segment s;
    s.network = "XX";
    s.station = sta;
    s.location = "00";
    s.channel = std::string("HH") + comps[c];
    s.start = T0;
    s.sampling_rate = fs;
    s.data.resize(n);
    const double amp = c == 0 ? 1000 : 500;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = double(i) / fs - kOnset;
      double v = N(r);
      if (t >= 0) v += amp * std::exp(-t / 2.0) * std::sin(2 * M_PI * 5.0 * t);
      s.data[i] = std::round(v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `hyseis pick` with these model files at threshold 0.2 writes exactly the picks of
// pick_segments(model) on the same file.
template <class Model>
void expect_cli_matches_library(const Model& model, const std::vector<std::string>& files, const std::string& mseed,
                                const std::string& out) {
  PickArgs a;
  a.model = files;
  a.inputs = {mseed};
  a.out = out;
  a.threshold = 0.2;
  a.quiet = true;
  ASSERT_EQ(run_pick_command(a), 0);
  pk::ContinuousOptions co;
  co.peaks.p_threshold = co.peaks.s_threshold = 0.2;
  expect_same_picks(pk::picks_from_csv(slurp(out)), pk::pick_segments(model, ms::read(mseed).segments, co), 1e-6);
}

void sink(char* rec, int len, void* h) { static_cast<std::string*>(h)->append(rec, static_cast<std::size_t>(len)); }

// One FLOAT64 record stream packed by libmseed itself (the core writer refuses NaN).
std::string pack_float64(const ms::Segment& s) {
  std::string out;
  MSRecord* msr = msr_init(nullptr);
  std::strcpy(msr->network, s.network.c_str());
  std::strcpy(msr->station, s.station.c_str());
  std::strcpy(msr->location, s.location.c_str());
  std::strcpy(msr->channel, s.channel.c_str());
  msr->dataquality = 'D';
  msr->starttime = s.start;
  msr->samprate = s.sampling_rate;
  msr->reclen = 4096;
  msr->record = nullptr;
  msr->encoding = DE_FLOAT64;
  msr->byteorder = 1;
  auto* data = static_cast<double*>(std::malloc(s.data.size() * sizeof(double)));
  std::memcpy(data, s.data.data(), s.data.size() * sizeof(double));
  msr->datasamples = data;
  msr->numsamples = static_cast<int64_t>(s.data.size());
  msr->sampletype = 'd';
  int64_t packed = 0;
  msr_pack(msr, sink, &out, &packed, 1, 0);
  msr_free(&msr);
  return out;
}

// Runs the command expecting an error whose message contains `needle`; no output may exist.
template <class E>
void expect_failure(PickArgs a, const std::string& needle) {
  const fs::path out = tmpdir() / "fail_picks.csv", qml = tmpdir() / "fail_picks.xml";
  fs::remove(out);
  fs::remove(qml);
  a.out = out.string();
  a.quakeml = qml.string();
  a.quiet = true;
  try {
    run_pick_command(a);
    ADD_FAILURE() << "no error for " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(qml));
  EXPECT_FALSE(fs::exists(out.string() + ".tmp"));
}

}  // namespace

TEST(PickCli, StaltaPicksTheOnsetFromOneAndSeveralFiles) {
  const auto d = tmpdir();
  // Station A in one file; station B (50 Hz) one channel per file.
  ms::write((d / "a.mseed").string(), station(100.0, 120.0, "AAA", 1), 512);
  const auto b = station(50.0, 120.0, "BBB", 2);
  for (int c = 0; c < 3; ++c) ms::write((d / ("b" + std::to_string(c) + ".mseed")).string(), {b[c]}, 512);

  PickArgs a;
  a.method = "stalta";
  a.inputs = {(d / "a.mseed").string(), (d / "b0.mseed").string(), (d / "b1.mseed").string(), (d / "b2.mseed").string()};
  a.out = (d / "picks.csv").string();
  a.quakeml = (d / "picks.xml").string();
  a.quiet = true;
  ASSERT_EQ(run_pick_command(a), 0);
  const auto picks = pk::picks_from_csv(slurp(a.out));
  ASSERT_EQ(picks.size(), 2u);
  // Within the 0.1 s P criterion: the zero-phase band-pass spreads the onset a little
  // earlier, and AIC follows it (measured: +0.01 s at 100 Hz, -0.06 s at 50 Hz).
  for (const auto& p : picks) {
    EXPECT_EQ(p.phase, "P");
    EXPECT_EQ(p.channel, "HHZ");
    EXPECT_EQ(p.method, "stalta_aic");
    const double dt = double(p.time_us - T0) * 1e-6 - kOnset;
    EXPECT_LE(std::abs(dt), 0.1) << p.station << " pick " << dt << " s from the onset";
  }
  const std::string xml = slurp(a.quakeml);
  EXPECT_NE(xml.find("<phaseHint>P</phaseHint>"), std::string::npos);
  EXPECT_NE(xml.find("stationCode=\"AAA\""), std::string::npos);
  EXPECT_FALSE(fs::exists(a.out + ".tmp"));
}

TEST(PickCli, DeepPickerFileMatchesTheLibraryAndResamples) {
  pk::set_torch_threads(1);
  const auto d = tmpdir();
  pk::DeepPickerOptions o;          // untrained tiny PhaseNet: checks plumbing, not skill
  o.window = 512;
  o.filters = {4, 6, 8};
  o.seed = 3;
  const pk::DeepPicker m(o);
  m.save((d / "tiny.pt").string());
  auto segs = station(100.0, 60.0, "AAA", 3);
  const auto b = station(50.0, 60.0, "BBB", 4);     // resampled to the model's 100 Hz
  segs.insert(segs.end(), b.begin(), b.end());
  ms::write((d / "ab.mseed").string(), segs, 4096);

  expect_cli_matches_library(m, {(d / "tiny.pt").string()}, (d / "ab.mseed").string(), (d / "deep.csv").string());
}

// Two models = an ensemble: the picks are those of the averaged probabilities.
TEST(PickCli, SeveralModelsPickWithTheirEnsemble) {
  pk::set_torch_threads(1);
  const auto d = tmpdir();
  pk::DeepPickerOptions o;
  o.window = 512;
  o.filters = {4, 6, 8};
  pk::PickerEnsemble e;
  for (std::uint64_t seed : {3u, 4u}) {
    o.seed = seed;
    const pk::DeepPicker m(o);
    m.save((d / ("ens" + std::to_string(seed) + ".pt")).string());
    e.add(m.clone());
  }
  ms::write((d / "c.mseed").string(), station(100.0, 60.0, "CCC", 5), 4096);
  expect_cli_matches_library(e, {(d / "ens3.pt").string(), (d / "ens4.pt").string()}, (d / "c.mseed").string(),
                             (d / "ens.csv").string());
  PickArgs a;
  a.inputs = {(d / "c.mseed").string()};
  a.quiet = true;
  // A GPD next to a PhaseNet is not an ensemble: the error names the file.
  pk::DeepPickerOptions g;
  g.kind = pk::PickerKind::gpd;
  g.window = 400;
  g.filters = {4, 4, 4, 4};
  g.hidden = 8;
  pk::DeepPicker(g).save((d / "gpd.pt").string());
  a.model = {(d / "ens3.pt").string(), (d / "gpd.pt").string()};
  a.out = (d / "bad.csv").string();
  EXPECT_THROW(run_pick_command(a), hyseis::core::InvalidInput);
  EXPECT_FALSE(fs::exists(a.out));
}

// A model trained on band-passed records carries its band-pass; pick_segments applies it to the
// continuous data before the sliding windows (same as filtering by hand and predicting).
TEST(PickCli, ModelBandpassIsAppliedToContinuousData) {
  pk::set_torch_threads(1);
  const auto d = tmpdir();
  pk::DeepPickerOptions o;
  o.window = 512;
  o.filters = {4, 6, 8};
  o.seed = 5;
  o.bandpass = {2.0, 20.0};
  const pk::DeepPicker m(o);
  m.save((d / "bp.pt").string());
  const auto loaded = pk::DeepPicker::load((d / "bp.pt").string());
  EXPECT_EQ(loaded.options().bandpass, o.bandpass);
  const auto segs = station(100.0, 40.0, "BPF", 9);
  std::vector<std::vector<double>> ch;
  for (const auto& sg : segs) {
    auto x = sg.data;
    hyseis::solvers::signal::detrend_linear(x);
    hyseis::solvers::signal::cosine_taper(x, 0.05);
    ch.push_back(hyseis::solvers::signal::bandpass(x, 2.0, 20.0, 100.0, 4, true));
  }
  pk::ContinuousOptions co;
  co.peaks.p_threshold = co.peaks.s_threshold = 0.05;
  const auto want = pk::extract_picks(loaded.predict(ch, 100.0, co.sliding), co.peaks, segs[0].start, "XX", "BPF", "00",
                                      "HH?", "phasenet");
  const auto got = pk::pick_segments(loaded, segs, co);
  ASSERT_FALSE(got.empty());
  expect_same_picks(got, want, 1e-9);
  pk::DeepPickerOptions bad = o;
  bad.bandpass = {20.0, 2.0};
  EXPECT_THROW(pk::DeepPicker{bad}, hyseis::core::InvalidInput);
  bad.bandpass = {1.0, 60.0};  // above Nyquist
  EXPECT_THROW(pk::DeepPicker{bad}, hyseis::core::InvalidInput);
}

TEST(PickCli, BadInputNamesTheFileAndWritesNothing) {
  using hyseis::core::InvalidInput;
  using hyseis::core::IoError;
  const auto d = tmpdir();
  const auto segs = station(100.0, 30.0, "AAA", 5);
  ms::write((d / "good.mseed").string(), segs, 512);
  const std::string bytes = slurp(d / "good.mseed");
  PickArgs a;
  a.method = "stalta";

  {  // truncated inside the last record's header (a cut through its data frames may or may not
     // be detectable: the last record of a stream is partly empty)
    std::ofstream((d / "trunc.mseed"), std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() - 500));
    a.inputs = {(d / "good.mseed").string(), (d / "trunc.mseed").string()};
    expect_failure<IoError>(a, "trunc.mseed");
  }
  {  // corrupt: garbage in the second record's header
    std::string bad = bytes;
    for (std::size_t i = 512; i < 560; ++i) bad[i] = char(0x5a);
    std::ofstream((d / "corrupt.mseed"), std::ios::binary).write(bad.data(), std::streamsize(bad.size()));
    a.inputs = {(d / "corrupt.mseed").string()};
    expect_failure<IoError>(a, "corrupt.mseed");
  }
  {  // missing
    a.inputs = {(d / "nope.mseed").string()};
    expect_failure<IoError>(a, "nope.mseed");
  }
  {  // NaN in a FLOAT64 record
    auto z = segs[0];
    z.data[1234] = std::nan("");
    const std::string rec = pack_float64(z);
    std::ofstream((d / "nan.mseed"), std::ios::binary).write(rec.data(), std::streamsize(rec.size()));
    a.inputs = {(d / "nan.mseed").string()};
    expect_failure<InvalidInput>(a, "nan.mseed: stream XX.AAA.00.HHZ has a non-finite sample (nan) at index 1234");
  }
  {  // sampling-rate mismatch between components of one station
    auto n = segs[1];
    auto n50 = station(50.0, 30.0, "AAA", 6)[1];
    ms::write((d / "z100.mseed").string(), {segs[0], segs[2]}, 512);
    ms::write((d / "n50.mseed").string(), {n50}, 512);
    a.inputs = {(d / "z100.mseed").string(), (d / "n50.mseed").string()};
    expect_failure<InvalidInput>(a, "sampling-rate mismatch at station XX.AAA.00.HH");
    expect_failure<InvalidInput>(a, "n50.mseed");
  }
  {  // a model that takes 1 channel, a file that is not a model, no model at all
    pk::DeepPickerOptions o;
    o.in_channels = 1;
    o.window = 512;
    o.filters = {4, 6, 8};
    pk::DeepPicker((o)).save((d / "one.pt").string());
    PickArgs m;
    m.inputs = {(d / "good.mseed").string()};
    m.model = {(d / "one.pt").string()};
    expect_failure<InvalidInput>(m, "one.pt: the model takes 1 input channels");
    m.model = {(d / "good.mseed").string()};
    expect_failure<IoError>(m, "good.mseed");
    m.model.clear();
    expect_failure<InvalidInput>(m, "--model FILE is required");
  }
}

TEST(PickCli, CommandLineParsing) {
  CLI::App app("hyseis");
  PickArgs a;
  auto* c = hyseis::scenarios::add_pick_command(app, a);
  std::vector<std::string> argv{"pick", "--model", "m.pt", "--in", "A.mseed", "B.mseed", "--out", "p.csv",
                                "--quakeml", "p.xml", "--threshold", "0.4"};
  std::reverse(argv.begin(), argv.end());   // CLI11 parses a reversed vector
  app.parse(argv);
  EXPECT_TRUE(c->parsed());
  EXPECT_EQ(a.model, (std::vector<std::string>{"m.pt"}));
  EXPECT_EQ(a.inputs, (std::vector<std::string>{"A.mseed", "B.mseed"}));
  EXPECT_EQ(a.out, "p.csv");
  EXPECT_EQ(a.quakeml, "p.xml");
  EXPECT_DOUBLE_EQ(a.threshold, 0.4);
  EXPECT_EQ(a.method, "deep");
  CLI::App app2("hyseis");
  PickArgs b;
  hyseis::scenarios::add_pick_command(app2, b);
  std::vector<std::string> bad{"pick", "--method", "magic", "--in", "A.mseed", "--out", "p.csv"};
  std::reverse(bad.begin(), bad.end());
  EXPECT_THROW(app2.parse(bad), CLI::ValidationError);
}
