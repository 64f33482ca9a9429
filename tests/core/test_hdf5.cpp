#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "tmpdir.hpp"

using namespace hyseis::core;
using hyseis::testing::TempDir;

TEST(Hdf5, RoundTripWithGroupsStringsAndAttributes) {
  TempDir dir("h5");
  const auto file = dir.file("a.h5");
  {
    h5::Writer w(file);
    std::vector<double> m = {1, 2, 3, 4, 5, 6};
    w.write("seismograms/uz", {2, 3}, m.data());
    w.write("time", std::vector<double>{0.0, 0.5, 1.0});
    w.write_strings("receivers/name", {"R001", "R002"});
    w.attribute("seismograms/uz", "units", "m");
    w.attribute("/", "dt", 0.5);
    w.attribute("/", "config", std::string(5000, 'y'));
    EXPECT_FALSE(std::filesystem::exists(file)) << "final name must appear only on commit";
    EXPECT_TRUE(std::filesystem::exists(file + ".tmp"));
    w.commit();
  }
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
  const auto a = h5::read_dataset(file, "seismograms/uz");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(h5::read_dataset(file, "/time").data, (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(h5::read_strings(file, "receivers/name"), (std::vector<std::string>{"R001", "R002"}));
  EXPECT_EQ(h5::read_string_attribute(file, "seismograms/uz", "units"), "m");
  EXPECT_DOUBLE_EQ(h5::read_attribute(file, "/", "dt"), 0.5);
  EXPECT_EQ(h5::read_string_attribute(file, "/", "config").size(), 5000u);
  EXPECT_TRUE(h5::has_object(file, "seismograms/uz"));
  EXPECT_TRUE(h5::has_object(file, "/receivers"));
  EXPECT_FALSE(h5::has_object(file, "nope/deeper"));
  EXPECT_FALSE(h5::has_object(dir.file("none.h5"), "/"));
}

TEST(Hdf5, UncommittedWriterLeavesNoFile) {
  TempDir dir("h5");
  const auto file = dir.file("b.h5");
  {
    h5::Writer w(file);
    w.write("x", std::vector<double>{1.0});
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

TEST(Hdf5, ErrorsNameFileAndObject) {
  TempDir dir("h5");
  const auto file = dir.file("c.h5");
  {
    h5::Writer w(file);
    w.write("x", std::vector<double>{1.0, 2.0});
    w.write_strings("names", {"a"});
    EXPECT_THROW(w.write("x", std::vector<double>{3.0}), IoError);
    EXPECT_THROW(w.attribute("missing", "u", "m"), IoError);
    w.commit();
  }
  try {
    h5::read_dataset(file, "y");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_NE(msg.find("'y'"), std::string::npos) << msg;
  }
  EXPECT_THROW(h5::read_dataset(file, "names"), IoError);
  EXPECT_THROW(h5::read_attribute(file, "x", "units"), IoError);
  EXPECT_THROW(h5::read_dataset(dir.file("missing.h5"), "x"), IoError);
  EXPECT_THROW(h5::Writer(dir.file("no/such/dir/d.h5")), IoError);
}

TEST(Hdf5, CorruptOrForeignFileIsAClearIoError) {
  TempDir dir("h5");
  const auto text = dir.file("text.h5");
  std::ofstream(text) << "this is not HDF5\n";
  try {
    h5::read_dataset(text, "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  // A real file cut in half: signature intact, body missing.
  const auto good = dir.file("good.h5");
  {
    h5::Writer w(good);
    w.write("x", std::vector<double>(4096, 1.0));
    w.commit();
  }
  const auto size = std::filesystem::file_size(good);
  const auto cut = dir.file("cut.h5");
  std::filesystem::copy_file(good, cut);
  std::filesystem::resize_file(cut, size / 3);
  EXPECT_THROW(h5::read_dataset(cut, "x"), IoError);
  EXPECT_FALSE(h5::has_object(cut, "x"));
}

TEST(Hdf5, LibraryVersion) { EXPECT_EQ(h5::library_version().substr(0, 2), "1."); }
