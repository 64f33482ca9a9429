// Field container, PDE-FIND file reader, noise and the portable RNG.
#include "hyseis/learning/sindy/field.hpp"

#include <cmath>
#include <numeric>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"

namespace hyseis::learning::sindy {

using core::InvalidInput;
using core::IoError;

namespace {

bool finite(double v) { return std::isfinite(v); }
bool finite(const cplx& v) { return std::isfinite(v.real()) && std::isfinite(v.imag()); }

void check_uniform(const std::vector<double>& g, const char* what) {
  HYSEIS_REQUIRE(g.size() >= 2, InvalidInput, "PDE discovery: grid '" << what << "' needs >= 2 points, got " << g.size());
  const double h = g[1] - g[0];
  HYSEIS_REQUIRE(h > 0, InvalidInput, "PDE discovery: grid '" << what << "' must increase (step " << h << ")");
  for (std::size_t i = 1; i < g.size(); ++i)
    HYSEIS_REQUIRE(std::abs((g[i] - g[i - 1]) - h) <= 1e-6 * h, InvalidInput,
                   "PDE discovery: grid '" << what << "' is not uniform at index " << i << " (step " << g[i] - g[i - 1]
                                           << " vs " << h << ")");
}

}  // namespace

template <class S>
void Field<S>::validate() const {
  check_uniform(x, "x");
  check_uniform(t, "t");
  HYSEIS_REQUIRE(u.size() == x.size() * t.size(), InvalidInput,
                 "PDE discovery: field has " << u.size() << " values, expected nx*nt = " << x.size() << "*" << t.size());
  for (std::size_t k = 0; k < u.size(); ++k)
    HYSEIS_REQUIRE(finite(u[k]), InvalidInput,
                   "PDE discovery: non-finite value at ix=" << k % x.size() << ", it=" << k / x.size());
}

PdeFindFile read_pde_find_file(const std::string& path) {
  namespace h5 = core::h5;
  PdeFindFile out;
  const auto xa = h5::read_dataset(path, "x");
  const auto ta = h5::read_dataset(path, "t");
  out.layout = h5::read_string_attribute(path, "/", "layout");
  if (h5::has_object(path, "/") ) {
    try {
      out.true_pde = h5::read_string_attribute(path, "/", "true_pde");
    } catch (const core::Error&) {
    }
  }
  std::string lay;   // "u[ix, it]" and "u[ix,it]" alike
  for (char c : out.layout)
    if (c != ' ') lay += c;
  const bool x_first = lay.rfind("u[ix,it]", 0) == 0;
  HYSEIS_REQUIRE(x_first || lay.rfind("u[it,ix]", 0) == 0, IoError,
                 path << ": unknown layout attribute '" << out.layout << "' (expected u[ix,it] or u[it,ix])");
  const std::size_t nx = xa.data.size(), nt = ta.data.size();
  auto reorder = [&](const h5::Array& a, const char* name) {
    HYSEIS_REQUIRE(a.shape.size() == 2, IoError, path << ": dataset '" << name << "' is not 2-D");
    const std::size_t r = x_first ? nx : nt, c = x_first ? nt : nx;
    HYSEIS_REQUIRE(a.shape[0] == r && a.shape[1] == c, IoError,
                   path << ": dataset '" << name << "' has shape " << a.shape[0] << "x" << a.shape[1] << ", layout "
                        << out.layout << " needs " << r << "x" << c);
    std::vector<double> v(nx * nt);
    for (std::size_t i = 0; i < nx; ++i)
      for (std::size_t n = 0; n < nt; ++n) v[n * nx + i] = x_first ? a.data[i * nt + n] : a.data[n * nx + i];
    return v;
  };
  if (h5::has_object(path, "u")) {
    out.real.x = xa.data;
    out.real.t = ta.data;
    out.real.u = reorder(h5::read_dataset(path, "u"), "u");
    out.real.validate();
  } else {
    out.is_complex = true;
    const auto re = reorder(h5::read_dataset(path, "u_real"), "u_real");
    const auto im = reorder(h5::read_dataset(path, "u_imag"), "u_imag");
    out.complex.x = xa.data;
    out.complex.t = ta.data;
    out.complex.u.resize(re.size());
    for (std::size_t k = 0; k < re.size(); ++k) out.complex.u[k] = cplx(re[k], im[k]);
    out.complex.validate();
  }
  return out;
}

namespace {
double std_of(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double s = 0;
  for (double a : v) s += (a - mean) * (a - mean);
  return std::sqrt(s / n);
}
}  // namespace

template <>
double field_std<double>(const std::vector<double>& u) {
  return std_of(u);
}
template <>
cplx field_std<cplx>(const std::vector<cplx>& u) {
  std::vector<double> re(u.size()), im(u.size());
  for (std::size_t k = 0; k < u.size(); ++k) {
    re[k] = u[k].real();
    im[k] = u[k].imag();
  }
  return {std_of(re), std_of(im)};
}

template <class S>
Field<S> add_noise(const Field<S>& f, double fraction, std::uint64_t seed) {
  HYSEIS_REQUIRE(fraction >= 0 && std::isfinite(fraction), InvalidInput,
                 "add_noise: fraction must be finite and >= 0, got " << fraction);
  Field<S> g = f;
  Rng rng(seed);
  const S sd = field_std(f.u);
  for (auto& v : g.u) {
    if constexpr (std::is_same_v<S, double>) {
      v += fraction * sd * rng.normal();
    } else {
      const double a = rng.normal(), b = rng.normal();
      v += cplx(fraction * sd.real() * a, fraction * sd.imag() * b);
    }
  }
  return g;
}

std::uint64_t Rng::next() {  // splitmix64
  std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double th = 2.0 * M_PI * u2;
  spare_ = r * std::sin(th);
  has_spare_ = true;
  return r * std::cos(th);
}

std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> p(n);
  std::iota(p.begin(), p.end(), std::size_t{0});
  Rng rng(seed);
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(i)]);
  return p;
}

template struct Field<double>;
template struct Field<cplx>;
template Field<double> add_noise(const Field<double>&, double, std::uint64_t);
template Field<cplx> add_noise(const Field<cplx>&, double, std::uint64_t);

}  // namespace hyseis::learning::sindy
