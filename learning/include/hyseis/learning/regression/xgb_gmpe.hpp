#pragma once
// Gradient-boosted-tree GMPE through the XGBoost C API (Debian libxgboost-dev 1.7): one booster
// per output IMT on the features of gm_features(), squared-error objective. Deterministic: fixed
// seed and thread count, exact (or hist) tree method. Save/load as XGBoost JSON models plus a
// small manifest. No XGBoost header here.
#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

namespace hyseis::learning::regression {

struct XgbGmpeOptions {
  int rounds = 400;               ///< boosting rounds per output
  int max_depth = 4;
  double eta = 0.05;              ///< learning rate
  double subsample = 0.8;         ///< row subsampling per tree (seeded)
  double colsample_bytree = 1.0;
  double min_child_weight = 3.0;
  double lambda = 1.0;            ///< L2 on leaf weights
  std::string tree_method = "exact";  ///< exact | hist | approx
  std::uint64_t seed = 1;
  int threads = 1;
  void validate() const;          ///< throws core::InvalidInput naming the field
};

class XgbGmpe {
public:
  explicit XgbGmpe(XgbGmpeOptions options = {});
  ~XgbGmpe();
  XgbGmpe(XgbGmpe&&) noexcept;
  XgbGmpe& operator=(XgbGmpe&&) noexcept;
  XgbGmpe(const XgbGmpe&) = delete;
  XgbGmpe& operator=(const XgbGmpe&) = delete;

  /// features [n x p], ln_y [n x n_out]; one booster per column of ln_y.
  void fit(const Eigen::MatrixXd& features, const Eigen::MatrixXd& ln_y);
  Eigen::MatrixXd predict(const Eigen::MatrixXd& features) const;
  bool fitted() const { return !boosters_.empty(); }
  int outputs() const { return int(boosters_.size()); }
  const XgbGmpeOptions& options() const { return options_; }

  /// Writes `<prefix>.json` (manifest) and `<prefix>.booster<k>.json` (XGBoost JSON models).
  void save(const std::string& prefix) const;
  static XgbGmpe load(const std::string& prefix);

private:
  void free_all();
  XgbGmpeOptions options_;
  std::vector<void*> boosters_;   // BoosterHandle
  int n_features_ = 0;
};

}  // namespace hyseis::learning::regression
