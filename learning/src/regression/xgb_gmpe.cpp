// Gradient-boosted GMPE through the XGBoost C API.
#include "hyseis/learning/regression/xgb_gmpe.hpp"

#include <xgboost/c_api.h>

#include <cstdio>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"

namespace hyseis::learning::regression {

namespace {

void check(int rc, const std::string& what) {
  if (rc != 0) throw core::NumericalError("xgboost: " + what + ": " + XGBGetLastError());
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  explicit DMatrix(const Eigen::MatrixXd& X) {
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = X.cast<float>();
    check(XGDMatrixCreateFromMat(f.data(), bst_ulong(f.rows()), bst_ulong(f.cols()), std::nanf(""), &h),
          "XGDMatrixCreateFromMat");
  }
  ~DMatrix() {
    if (h) XGDMatrixFree(h);
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void XgbGmpeOptions::validate() const {
  if (rounds < 1 || rounds > 100000) throw core::InvalidInput("xgboost.rounds: must be in [1, 100000]");
  if (max_depth < 1 || max_depth > 32) throw core::InvalidInput("xgboost.max_depth: must be in [1, 32]");
  if (!(eta > 0 && eta <= 1)) throw core::InvalidInput("xgboost.eta: must be in (0, 1]");
  if (!(subsample > 0 && subsample <= 1)) throw core::InvalidInput("xgboost.subsample: must be in (0, 1]");
  if (!(colsample_bytree > 0 && colsample_bytree <= 1))
    throw core::InvalidInput("xgboost.colsample_bytree: must be in (0, 1]");
  if (!(min_child_weight >= 0)) throw core::InvalidInput("xgboost.min_child_weight: must be >= 0");
  if (!(lambda >= 0)) throw core::InvalidInput("xgboost.lambda: must be >= 0");
  if (tree_method != "exact" && tree_method != "hist" && tree_method != "approx")
    throw core::InvalidInput("xgboost.tree_method: must be exact, hist or approx, got '" + tree_method + "'");
  if (threads < 1) throw core::InvalidInput("xgboost.threads: must be >= 1 (fixed for determinism)");
}

XgbGmpe::XgbGmpe(XgbGmpeOptions options) : options_(std::move(options)) { options_.validate(); }
XgbGmpe::~XgbGmpe() { free_all(); }
XgbGmpe::XgbGmpe(XgbGmpe&& o) noexcept
    : options_(std::move(o.options_)), boosters_(std::move(o.boosters_)), n_features_(o.n_features_) {
  o.boosters_.clear();
}
XgbGmpe& XgbGmpe::operator=(XgbGmpe&& o) noexcept {
  if (this != &o) {
    free_all();
    options_ = std::move(o.options_);
    boosters_ = std::move(o.boosters_);
    n_features_ = o.n_features_;
    o.boosters_.clear();
  }
  return *this;
}

void XgbGmpe::free_all() {
  for (void* b : boosters_)
    if (b) XGBoosterFree(static_cast<BoosterHandle>(b));
  boosters_.clear();
}

void XgbGmpe::fit(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  if (X.rows() != Y.rows() || X.rows() < 2 || X.cols() < 1 || Y.cols() < 1)
    throw core::InvalidInput("XgbGmpe::fit: features and ln_y must have the same (>= 2) rows");
  if (!X.allFinite() || !Y.allFinite()) throw core::InvalidInput("XgbGmpe::fit: non-finite feature or target");
  free_all();
  n_features_ = int(X.cols());
  DMatrix d(X);
  for (Eigen::Index j = 0; j < Y.cols(); ++j) {
    std::vector<float> label(std::size_t(Y.rows()));
    for (Eigen::Index i = 0; i < Y.rows(); ++i) label[std::size_t(i)] = float(Y(i, j));
    check(XGDMatrixSetFloatInfo(d.h, "label", label.data(), bst_ulong(label.size())), "set label");
    BoosterHandle b = nullptr;
    check(XGBoosterCreate(&d.h, 1, &b), "XGBoosterCreate");
    boosters_.push_back(b);
    const std::pair<const char*, std::string> params[] = {
        {"objective", "reg:squarederror"},
        {"max_depth", std::to_string(options_.max_depth)},
        {"eta", num(options_.eta)},
        {"subsample", num(options_.subsample)},
        {"colsample_bytree", num(options_.colsample_bytree)},
        {"min_child_weight", num(options_.min_child_weight)},
        {"lambda", num(options_.lambda)},
        {"tree_method", options_.tree_method},
        {"seed", std::to_string(options_.seed)},
        {"nthread", std::to_string(options_.threads)},
        {"verbosity", "0"}};
    for (const auto& [k, v] : params) check(XGBoosterSetParam(b, k, v.c_str()), std::string("set ") + k);
    for (int it = 0; it < options_.rounds; ++it) check(XGBoosterUpdateOneIter(b, it, d.h), "UpdateOneIter");
  }
}

Eigen::MatrixXd XgbGmpe::predict(const Eigen::MatrixXd& X) const {
  if (!fitted()) throw core::InvalidInput("XgbGmpe::predict: the model is not fitted");
  if (X.cols() != n_features_)
    throw core::InvalidInput("XgbGmpe::predict: expected " + std::to_string(n_features_) + " feature columns, got " +
                             std::to_string(X.cols()));
  DMatrix d(X);
  Eigen::MatrixXd out(X.rows(), Eigen::Index(boosters_.size()));
  for (std::size_t j = 0; j < boosters_.size(); ++j) {
    bst_ulong len = 0;
    const float* res = nullptr;
    check(XGBoosterPredict(static_cast<BoosterHandle>(boosters_[j]), d.h, 0, 0, 0, &len, &res), "predict");
    if (Eigen::Index(len) != X.rows()) throw core::NumericalError("xgboost: prediction length mismatch");
    for (Eigen::Index i = 0; i < X.rows(); ++i) out(i, Eigen::Index(j)) = res[i];
  }
  return out;
}

void XgbGmpe::save(const std::string& prefix) const {
  if (!fitted()) throw core::InvalidInput("XgbGmpe::save: the model is not fitted");
  core::json::Json j;
  j["type"] = "xgb_gmpe";
  j["features"] = n_features_;
  j["outputs"] = boosters_.size();
  j["xgboost_params"] = {{"rounds", options_.rounds}, {"max_depth", options_.max_depth}, {"eta", options_.eta},
                         {"subsample", options_.subsample}, {"seed", options_.seed}, {"threads", options_.threads},
                         {"tree_method", options_.tree_method}};
  core::json::Json files = core::json::Json::array();
  for (std::size_t k = 0; k < boosters_.size(); ++k) {
    const std::string f = prefix + ".booster" + std::to_string(k) + ".json";
    const std::string tmp = prefix + ".booster" + std::to_string(k) + ".tmp.json";
    check(XGBoosterSaveModel(static_cast<BoosterHandle>(boosters_[k]), tmp.c_str()), "save " + f);
    std::error_code ec;
    std::filesystem::rename(tmp, f, ec);
    if (ec) throw core::IoError("cannot rename '" + tmp + "' to '" + f + "': " + ec.message());
    files.push_back(std::filesystem::path(f).filename().string());
  }
  j["boosters"] = files;
  core::json::write_atomic(prefix + ".json", j);
}

XgbGmpe XgbGmpe::load(const std::string& prefix) {
  const core::json::Json j = core::json::read(prefix + ".json");
  XgbGmpe m;
  try {
    if (j.at("type").get<std::string>() != "xgb_gmpe") throw core::IoError(prefix + ".json: 'type' is not xgb_gmpe");
    m.n_features_ = j.at("features").get<int>();
    const auto dir = std::filesystem::path(prefix).parent_path();
    for (const auto& f : j.at("boosters")) {
      const std::string path = (dir / f.get<std::string>()).string();
      if (!std::filesystem::exists(path)) throw core::IoError(prefix + ".json: booster file '" + path + "' not found");
      BoosterHandle b = nullptr;
      check(XGBoosterCreate(nullptr, 0, &b), "XGBoosterCreate");
      m.boosters_.push_back(b);
      check(XGBoosterLoadModel(b, path.c_str()), "load " + path);
      check(XGBoosterSetParam(b, "nthread", "1"), "set nthread");
    }
  } catch (const core::json::Json::exception& e) {
    throw core::IoError(prefix + ".json: " + e.what());
  }
  if (m.boosters_.empty()) throw core::IoError(prefix + ".json: no boosters listed");
  return m;
}

}  // namespace hyseis::learning::regression
