// Manifests of trained GMPEs (see trained.hpp).
#include "hyseis/hybrid/gmpe/trained.hpp"

#include <filesystem>
#include <optional>

#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/learning/regression/nn_gmpe.hpp"
#include "hyseis/learning/regression/xgb_gmpe.hpp"

namespace hyseis::hybrid::gmpe {

namespace reg = learning::regression;
using core::json::Json;

TrainingRange TrainingRange::of(const reg::GmFlatfile& d) {
  TrainingRange r;
  r.mag_min = d.predictors.col(reg::kMag).minCoeff();
  r.mag_max = d.predictors.col(reg::kMag).maxCoeff();
  r.rjb_min = d.predictors.col(reg::kRjb).minCoeff();
  r.rjb_max = d.predictors.col(reg::kRjb).maxCoeff();
  r.vs30_min = d.predictors.col(reg::kVs30).minCoeff();
  r.vs30_max = d.predictors.col(reg::kVs30).maxCoeff();
  return r;
}

void write_manifest(const std::string& dir, const std::string& name, const TrainedManifest& m) {
  Json j;
  j["format"] = "hyseis trained GMPE manifest v1";
  j["kind"] = m.kind;
  j["imts"] = m.imts;
  j["files"] = m.files.empty() ? name : m.files;
  j["features"] = reg::gm_feature_names();
  j["training_range"] = {{"mag", {m.range.mag_min, m.range.mag_max}},
                         {"rjb_km", {m.range.rjb_min, m.range.rjb_max}},
                         {"vs30_m_per_s", {m.range.vs30_min, m.range.vs30_max}}};
  if (!m.tau.empty()) {
    j["tau"] = m.tau;
    j["phi"] = m.phi;
    j["sigma_source"] = "k-fold (by event) out-of-fold residuals of the gmpe_compare scenario";
  }
  if (m.kind == "linear") {
    Json arr = Json::array();
    for (const auto& f : m.linear) {
      std::vector<double> c(f.coef.data(), f.coef.data() + f.coef.size());
      arr.push_back({{"coef", c}, {"coef_names", f.coef_names}, {"h_km", f.h}, {"tau", f.tau}, {"phi", f.phi}});
    }
    j["linear"] = arr;
  }
  core::json::write_atomic((std::filesystem::path(dir) / (name + ".gmpe.json")).string(), j);
}

struct TrainedGmpe::Impl {
  std::optional<reg::NnGmpe> nn;
  std::optional<reg::XgbGmpe> xgb;
  std::optional<PiGmpe> pi;
};

TrainedGmpe::TrainedGmpe() : impl_(std::make_unique<Impl>()) {}
TrainedGmpe::~TrainedGmpe() = default;
TrainedGmpe::TrainedGmpe(TrainedGmpe&&) noexcept = default;
TrainedGmpe& TrainedGmpe::operator=(TrainedGmpe&&) noexcept = default;

TrainedGmpe TrainedGmpe::load(const std::string& path) {
  if (!std::filesystem::exists(path)) throw core::IoError("trained GMPE manifest '" + path + "' not found");
  const Json j = core::json::read(path);
  TrainedGmpe t;
  try {
    t.m_.kind = j.at("kind").get<std::string>();
    t.m_.imts = j.at("imts").get<std::vector<std::string>>();
    t.m_.files = j.at("files").get<std::string>();
    const auto& r = j.at("training_range");
    t.m_.range.mag_min = r.at("mag").at(0).get<double>();
    t.m_.range.mag_max = r.at("mag").at(1).get<double>();
    t.m_.range.rjb_min = r.at("rjb_km").at(0).get<double>();
    t.m_.range.rjb_max = r.at("rjb_km").at(1).get<double>();
    t.m_.range.vs30_min = r.at("vs30_m_per_s").at(0).get<double>();
    t.m_.range.vs30_max = r.at("vs30_m_per_s").at(1).get<double>();
    if (j.contains("tau")) {
      t.m_.tau = j.at("tau").get<std::vector<double>>();
      t.m_.phi = j.at("phi").get<std::vector<double>>();
      if (t.m_.tau.size() != t.m_.imts.size() || t.m_.phi.size() != t.m_.imts.size())
        throw core::IoError(path + ": tau and phi need one value per IMT");
    }
    const std::string prefix = (std::filesystem::path(path).parent_path() / t.m_.files).string();
    if (t.m_.kind == "linear") {
      for (const auto& e : j.at("linear")) {
        reg::MixedFit f;
        const auto c = e.at("coef").get<std::vector<double>>();
        f.coef = Eigen::Map<const Eigen::VectorXd>(c.data(), Eigen::Index(c.size()));
        f.coef_names = e.at("coef_names").get<std::vector<std::string>>();
        f.h = e.at("h_km").get<double>();
        f.tau = e.at("tau").get<double>();
        f.phi = e.at("phi").get<double>();
        if (f.coef.size() != 7 && f.coef.size() != 9) throw core::IoError(path + ": linear coef must have 7 or 9 entries");
        t.m_.linear.push_back(f);
      }
      if (t.m_.linear.size() != t.m_.imts.size()) throw core::IoError(path + ": one linear fit per IMT expected");
    } else if (t.m_.kind == "nn") {
      t.impl_->nn.emplace(reg::NnGmpe::load(prefix));
    } else if (t.m_.kind == "xgboost") {
      t.impl_->xgb.emplace(reg::XgbGmpe::load(prefix));
    } else if (t.m_.kind == "hybrid") {
      t.impl_->pi.emplace(PiGmpe::load(prefix));
    } else {
      throw core::IoError(path + ": unknown kind '" + t.m_.kind + "' (linear, nn, xgboost, hybrid)");
    }
  } catch (const Json::exception& e) {
    throw core::IoError(path + ": " + e.what());
  }
  return t;
}

Eigen::MatrixXd TrainedGmpe::predict(const Eigen::MatrixXd& P) const {
  if (m_.kind == "linear") {
    Eigen::MatrixXd out(P.rows(), Eigen::Index(m_.linear.size()));
    for (Eigen::Index k = 0; k < P.rows(); ++k)
      for (std::size_t j = 0; j < m_.linear.size(); ++j)
        out(k, Eigen::Index(j)) = reg::linear_gmpe_ln_median(m_.linear[j], P(k, reg::kMag), P(k, reg::kRjb),
                                                             P(k, reg::kVs30), P(k, reg::kRake), true);
    return out;
  }
  if (impl_->nn) return impl_->nn->predict(reg::gm_features(P));
  if (impl_->xgb) return impl_->xgb->predict(reg::gm_features(P));
  return impl_->pi->predict(P);
}

}  // namespace hyseis::hybrid::gmpe
