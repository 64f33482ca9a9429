#pragma once
// A scalar field u(x, t) sampled on a uniform space-time grid, the input of PDE discovery
// (PDE-FIND, Rudy et al. 2017). Real (double) or complex (std::complex<double>) values.
#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hyseis::learning::sindy {

using cplx = std::complex<double>;

/// u(x_i, t_n) stored x-fastest: u[n * nx + i]. Grids are uniform (checked on load).
template <class S>
struct Field {
  std::vector<double> x, t;
  std::vector<S> u;
  bool periodic_x = false;   // x is one period of a periodic domain (x_{nx} = x_0 + L)

  std::size_t nx() const { return x.size(); }
  std::size_t nt() const { return t.size(); }
  double dx() const { return x.size() > 1 ? x[1] - x[0] : 0.0; }
  double dt() const { return t.size() > 1 ? t[1] - t[0] : 0.0; }
  S& operator()(std::size_t i, std::size_t n) { return u[n * nx() + i]; }
  const S& operator()(std::size_t i, std::size_t n) const { return u[n * nx() + i]; }
  /// Throws core::InvalidInput if sizes disagree, grids are not uniform or values are not finite.
  void validate() const;
};

/// The PDE-FIND benchmark layout (shared/validation/pde_find): datasets `x`, `t` and `u`
/// (real) or `u_real`/`u_imag` (complex); root attribute `layout` is "u[ix,it]" or "u[it,ix]".
struct PdeFindFile {
  Field<double> real;     // filled when the file holds `u`
  Field<cplx> complex;    // filled when the file holds `u_real`/`u_imag`
  bool is_complex = false;
  std::string layout, true_pde;
};
/// Reads a file in that layout. `periodic_x` is set by the caller (not stored in the file).
/// Throws core::IoError (file/dataset problems) or core::InvalidInput (inconsistent shapes).
PdeFindFile read_pde_find_file(const std::string& path);

/// Standard deviation of the values (complex: of the real and imaginary parts separately,
/// returned as a complex number re + i im).
template <class S>
S field_std(const std::vector<S>& u);
template <>
double field_std<double>(const std::vector<double>& u);
template <>
cplx field_std<cplx>(const std::vector<cplx>& u);

/// Adds Gaussian noise of standard deviation `fraction` * std(u) (per real/imaginary part for
/// complex data), as in Rudy et al. 2017. Deterministic for a given seed on every platform
/// (splitmix64 + Box-Muller, no std::normal_distribution).
template <class S>
Field<S> add_noise(const Field<S>& f, double fraction, std::uint64_t seed);

/// Portable deterministic generator used for noise and subsampling.
class Rng {
public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next();
  double uniform();            // [0, 1)
  double normal();             // N(0, 1)
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)) % n; }

private:
  std::uint64_t s_;
  bool has_spare_ = false;
  double spare_ = 0;
};

/// A reproducible random permutation of 0..n-1 (Fisher-Yates with Rng).
std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed);

}  // namespace hyseis::learning::sindy
