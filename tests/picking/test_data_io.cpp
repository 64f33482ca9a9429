// learning/data (SeisBench layout, CSV) and learning/picking pick output (CSV, QuakeML).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/learning/data/csv.hpp"
#include "hyseis/learning/data/seisbench.hpp"
#include "hyseis/learning/picking/picks_io.hpp"

namespace fs = std::filesystem;
using namespace hyseis::learning;

namespace {
fs::path tmpdir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("hyseis_test_picking_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST(Csv, QuotingRoundTrip) {
  const std::vector<std::vector<std::string>> rows{{"a", "b,c", "d"}, {"1", "say \"hi\"", "line\nbreak"}, {"", "", "x"}};
  const auto text = data::csv_format(rows);
  const auto t = data::csv_parse(text, "mem");
  EXPECT_EQ(t.header, rows[0]);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], rows[1]);
  EXPECT_EQ(t.get(1, "d"), "x");
  EXPECT_EQ(t.get(0, "b,c"), "say \"hi\"");
  EXPECT_THROW(data::csv_parse("a,b\n1\n", "bad.csv"), hyseis::core::IoError);
  EXPECT_THROW(data::csv_parse("a,b\n\"1,2\n", "bad.csv"), hyseis::core::IoError);
  const auto crlf = data::csv_parse("a,b\r\n1,2\r\n", "crlf");
  EXPECT_EQ(crlf.rows[0][1], "2");
}

TEST(SeisBench, TraceNames) {
  auto a = data::parse_trace_name("bucket3$17,:3,:3001");
  EXPECT_EQ(a.dataset, "data/bucket3");
  EXPECT_EQ(a.index, 17u);
  EXPECT_EQ(a.channels, 3u);
  EXPECT_EQ(a.samples, 3001u);
  EXPECT_TRUE(a.bucketed);
  a = data::parse_trace_name("trace_0001");
  EXPECT_FALSE(a.bucketed);
  EXPECT_EQ(a.dataset, "data/trace_0001");
  EXPECT_THROW(data::parse_trace_name("bucket1$x,:3,:10"), hyseis::core::IoError);
  EXPECT_THROW(data::parse_trace_name("bucket1$1,3,:10"), hyseis::core::IoError);
}

TEST(SeisBench, WriteReadRoundTrip) {
  const auto dir = tmpdir("seisbench");
  data::DataFormat f;
  f.component_order = "ZNE";
  f.sampling_rate = 100;
  {
    data::SeisBenchWriter w(dir.string(), f, 2);  // 2 traces per bucket -> several buckets
    const char* split[] = {"train", "train", "dev", "test", "test"};
    for (int i = 0; i < 5; ++i) {
      data::Waveform wf;
      wf.channels = i == 4 ? 1 : 3;
      wf.samples = 100 + 10 * i;
      for (std::size_t c = 0; c < wf.channels; ++c)
        for (std::size_t s = 0; s < wf.samples; ++s) wf.data.push_back(i * 1000 + c * 100 + s * 0.5);
      w.add({{"split", split[i]},
             {"trace_p_arrival_sample", std::to_string(20 + i)},
             {"trace_s_arrival_sample", i == 2 ? "" : std::to_string(60 + i)},
             {"station_code", "ST" + std::to_string(i)},
             {"trace_sampling_rate_hz", "100"}},
            wf);
    }
    w.finish();
  }
  ASSERT_TRUE(fs::exists(dir / "metadata.csv"));
  ASSERT_TRUE(fs::exists(dir / "waveforms.hdf5"));
  EXPECT_FALSE(fs::exists(dir / "waveforms.hdf5.tmp"));
  // SeisBench's layout: scalar data_format datasets, buckets (n, C, W).
  const std::string h5 = (dir / "waveforms.hdf5").string();
  EXPECT_EQ(hyseis::core::h5::read_strings(h5, "data_format/component_order").at(0), "ZNE");
  EXPECT_EQ(hyseis::core::h5::read_dataset(h5, "data_format/sampling_rate").shape.size(), 0u);
  const auto b0 = hyseis::core::h5::read_dataset(h5, "data/bucket0");
  EXPECT_EQ(b0.shape, (std::vector<std::size_t>{2, 3, 110}));

  data::SeisBenchDataset ds(dir.string());
  ASSERT_EQ(ds.size(), 5u);
  EXPECT_EQ(ds.data_format().component_order, "ZNE");
  EXPECT_EQ(ds.data_format().dimension_order, "CW");
  EXPECT_DOUBLE_EQ(ds.data_format().sampling_rate, 100.0);
  EXPECT_EQ(ds.split("train"), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(ds.split("dev"), (std::vector<std::size_t>{2}));
  EXPECT_EQ(ds.split("test"), (std::vector<std::size_t>{3, 4}));
  EXPECT_EQ(ds.get(1, "trace_name"), "bucket0$1,:3,:110");
  EXPECT_DOUBLE_EQ(ds.number(3, "trace_p_arrival_sample"), 23.0);
  EXPECT_TRUE(std::isnan(ds.number(2, "trace_s_arrival_sample")));
  for (std::size_t i = 0; i < 5; ++i) {
    const auto w = ds.waveform(i);
    EXPECT_EQ(w.channels, i == 4 ? 1u : 3u);
    EXPECT_EQ(w.samples, 100 + 10 * i);
    for (std::size_t c = 0; c < w.channels; ++c)
      for (std::size_t s = 0; s < w.samples; ++s) ASSERT_EQ(w.at(c, s), i * 1000 + c * 100 + s * 0.5);
  }
  EXPECT_EQ(ds.waveform(4).channel(0).size(), 140u);
  EXPECT_THROW(ds.waveform(5), hyseis::core::InvalidInput);
  EXPECT_THROW(data::SeisBenchDataset((dir / "nope").string()), hyseis::core::IoError);
}

TEST(SeisBench, ReadsWcLayoutAndUnbucketedTraces) {
  const auto dir = tmpdir("seisbench_wc");
  {
    hyseis::core::h5::Writer w((dir / "waveforms.hdf5").string());
    w.write_string("data_format/dimension_order", "WC");
    w.write_string("data_format/component_order", "ENZ");
    std::vector<double> a(4 * 3);  // (W=4, C=3)
    for (std::size_t s = 0; s < 4; ++s)
      for (std::size_t c = 0; c < 3; ++c) a[s * 3 + c] = 10.0 * c + s;
    w.write("data/tr1", {4, 3}, a.data());
    w.commit();
  }
  hyseis::core::fs::write_text_atomic((dir / "metadata.csv").string(),
                                      "trace_name,split,trace_sampling_rate_hz\ntr1,test,50\n");
  data::SeisBenchDataset ds(dir.string());
  EXPECT_EQ(ds.data_format().component_order, "ENZ");
  EXPECT_EQ(ds.data_format().sampling_rate, 0.0);  // per trace
  const auto w = ds.waveform(0);
  ASSERT_EQ(w.channels, 3u);
  ASSERT_EQ(w.samples, 4u);
  EXPECT_EQ(w.at(2, 3), 23.0);
  EXPECT_DOUBLE_EQ(ds.number(0, "trace_sampling_rate_hz"), 50.0);
}

TEST(Picks, IsoTime) {
  EXPECT_EQ(picking::iso8601(0), "1970-01-01T00:00:00.000000Z");
  const std::int64_t t = picking::parse_iso8601("2017-10-07T09:28:26.92Z");
  EXPECT_EQ(picking::iso8601(t), "2017-10-07T09:28:26.920000Z");
  EXPECT_EQ(t, 1507368506920000LL);
  EXPECT_EQ(picking::parse_iso8601("2000-02-29T23:59:59.000001"), 951868799000001LL);
  EXPECT_EQ(picking::iso8601(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_THROW(picking::parse_iso8601("yesterday"), hyseis::core::InvalidInput);
}

TEST(Picks, CsvAndQuakeMl) {
  std::vector<picking::Pick> picks(2);
  picks[0].network = "NC";
  picks[0].station = "MEM";
  picks[0].channel = "EHZ";
  picks[0].time_us = picking::parse_iso8601("2017-10-07T09:28:56.920000Z");
  picks[0].phase = "P";
  picks[0].score = 7.25;
  picks[0].method = "stalta_aic";
  picks[1] = picks[0];
  picks[1].location = "00";
  picks[1].phase = "S";
  picks[1].time_us += 2870000;
  picks[1].evaluation_mode = "manual";
  const auto dir = tmpdir("picks");
  const std::string csv = (dir / "picks.csv").string(), xml = (dir / "picks.xml").string();
  picking::write_picks_csv(csv, picks);
  picking::write_picks_quakeml(xml, picks);
  EXPECT_FALSE(fs::exists(csv + ".tmp"));
  const auto back = picking::picks_from_csv(hyseis::core::fs::read_text(csv));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].time_us, picks[1].time_us);
  EXPECT_EQ(back[1].location, "00");
  EXPECT_EQ(back[1].phase, "S");
  EXPECT_EQ(back[1].evaluation_mode, "manual");
  EXPECT_DOUBLE_EQ(back[0].score, 7.25);
  const std::string q = hyseis::core::fs::read_text(xml);
  EXPECT_NE(q.find("xmlns=\"http://quakeml.org/xmlns/bed/1.2\""), std::string::npos);
  EXPECT_NE(q.find("<eventParameters publicID=\"smi:local/hyseis/eventParameters\">"), std::string::npos);
  EXPECT_NE(q.find("<value>2017-10-07T09:28:56.920000Z</value>"), std::string::npos);
  EXPECT_NE(q.find("<waveformID networkCode=\"NC\" stationCode=\"MEM\" channelCode=\"EHZ\"/>"), std::string::npos);
  EXPECT_NE(q.find("locationCode=\"00\""), std::string::npos);
  EXPECT_NE(q.find("<phaseHint>S</phaseHint>"), std::string::npos);
  EXPECT_NE(q.find("<evaluationMode>manual</evaluationMode>"), std::string::npos);
  // Every <pick> closes (the document was also checked with an XML parser during development).
  std::size_t open = 0, close = 0;
  for (std::size_t p = q.find("<pick "); p != std::string::npos; p = q.find("<pick ", p + 1)) ++open;
  for (std::size_t p = q.find("</pick>"); p != std::string::npos; p = q.find("</pick>", p + 1)) ++close;
  EXPECT_EQ(open, 2u);
  EXPECT_EQ(close, 2u);
  picks[0].evaluation_mode = "auto";
  EXPECT_THROW(picking::picks_to_quakeml(picks), hyseis::core::InvalidInput);
}
