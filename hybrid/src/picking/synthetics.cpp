// Synthetic picking data from the 2D elastic SEM solver, labelled by eikonal first arrivals.
#include "hyseis/hybrid/picking/synthetics.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include <unistd.h>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/learning/data/seisbench.hpp"
#include "hyseis/physics/traveltime/eikonal.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "hyseis/solvers/signal.hpp"
#include "ncedc.hpp"

namespace hyseis::hybrid::picking {

namespace wave = physics::wave;
namespace tt = physics::traveltime;
namespace cfg = core::config;
using core::json::Json;

void SyntheticOptions::validate() const {
  auto req = [](bool ok, const std::string& msg) {
    if (!ok) throw core::InvalidInput("synthetics." + msg);
  };
  req(events >= 1, "events must be >= 1");
  req(receivers_per_event >= 1, "receivers_per_event must be >= 1");
  req(width > 0 && depth > 0, "width and depth must be > 0");
  req(element_size > 0 && element_size <= std::min(width, depth), "element_size must be in (0, min(width, depth)]");
  req(degree >= 1 && degree <= 8, "degree must be in 1..8");
  req(layers_min >= 1 && layers_max >= layers_min, "layers_min must be >= 1 and <= layers_max");
  req(vp_min > 0 && vp_max >= vp_min, "vp_min must be > 0 and <= vp_max");
  req(vpvs_min > 1.0 / std::sqrt(0.75) && vpvs_max >= vpvs_min,
      "vpvs_min must be > 2/sqrt(3) (Poisson ratio < 0.5 in the solver's rule) and <= vpvs_max");
  req(f0_min > 0 && f0_max >= f0_min, "f0_min must be > 0 and <= f0_max");
  req(source_time_function == "causal" || source_time_function == "ricker",
      "source_time_function must be one of: causal, ricker; got '" + source_time_function + "'");
  req(dip_max_deg >= 0 && dip_max_deg < 60, "dip_max_deg must be in [0, 60)");
  req(perturbation >= 0 && perturbation < 0.5, "perturbation must be in [0, 0.5)");
  req(perturbation_length > 0, "perturbation_length must be > 0");
  req(scattering >= 0 && scattering < 0.3, "scattering must be in [0, 0.3)");
  req(scattering_length > 0, "scattering_length must be > 0");
  req(perturbation + 3 * scattering < 0.9, "perturbation + 3 scattering must be < 0.9 (velocities stay positive)");
  req(source_depth_min > 0 && source_depth_max >= source_depth_min && source_depth_max < depth,
      "source depths must satisfy 0 < source_depth_min <= source_depth_max < depth");
  req(min_offset >= 0 && min_offset < 0.5 * width, "min_offset must be in [0, width/2)");
  req(sim_duration > 2, "sim_duration must be > 2 s (the last 2 s are tapered)");
  req(sampling_rate > 0, "sampling_rate must be > 0");
  req(trace_seconds * sampling_rate >= 16, "trace_seconds * sampling_rate must be >= 16 samples");
  req(p_position_min >= 0 && p_position_max >= p_position_min && p_position_max < trace_seconds,
      "p_position_min/max must satisfy 0 <= min <= max < trace_seconds");
  req(snr_db_max >= snr_db_min, "snr_db_max must be >= snr_db_min");
  req(snr_reference == "p" || snr_reference == "peak",
      "snr_reference must be one of: p, peak; got '" + snr_reference + "'");
  req(noise == "coloured" || noise == "ncedc" || noise == "mixed" || noise == "none",
      "noise must be one of: coloured, ncedc, mixed, none; got '" + noise + "'");
  req(noise == "coloured" || noise == "none" || !ncedc_file.empty(), "ncedc_file is required for noise '" + noise + "'");
  req(eikonal_h > 0 && eikonal_h <= element_size, "eikonal_h must be in (0, element_size]");
  req(dev_fraction >= 0 && test_fraction >= 0 && dev_fraction + test_fraction < 1,
      "dev_fraction and test_fraction must be >= 0 with a sum < 1");
}

SyntheticOptions parse_synthetic_options(const cfg::Node& n, const std::string& default_ncedc_file) {
  SyntheticOptions o;
  o.ncedc_file = default_ncedc_file;
  n.require_map();
  n.allow_keys({"events", "receivers_per_event", "width", "depth", "element_size", "degree", "layers_min", "layers_max",
                "vp_min", "vp_max", "vpvs_min", "vpvs_max", "dip_max_deg", "perturbation", "perturbation_length", "scattering", "scattering_length", "source_time_function", "snr_reference", "f0_min", "f0_max", "source_depth_min", "source_depth_max",
                "min_offset", "sim_duration", "trace_seconds", "sampling_rate", "p_position_min", "p_position_max",
                "snr_db_min", "snr_db_max", "noise", "ncedc_file", "eikonal_h", "dev_fraction", "test_fraction", "seed",
                "progress"});
  o.events = n.get_int("events", o.events, 1, 1000000);
  o.receivers_per_event = n.get_int("receivers_per_event", o.receivers_per_event, 1, 10000);
  o.width = n.get("width", o.width, cfg::Positive());
  o.depth = n.get("depth", o.depth, cfg::Positive());
  o.element_size = n.get("element_size", o.element_size, cfg::Positive());
  o.degree = n.get_int("degree", o.degree, 1, 8);
  o.layers_min = n.get_int("layers_min", o.layers_min, 1, 50);
  o.layers_max = n.get_int("layers_max", o.layers_max, 1, 50);
  o.vp_min = n.get("vp_min", o.vp_min, cfg::Positive());
  o.vp_max = n.get("vp_max", o.vp_max, cfg::Positive());
  o.vpvs_min = n.get("vpvs_min", o.vpvs_min, cfg::Greater(1.0));
  o.vpvs_max = n.get("vpvs_max", o.vpvs_max, cfg::Greater(1.0));
  o.dip_max_deg = n.get("dip_max_deg", o.dip_max_deg, cfg::Range(0, 60));
  o.perturbation = n.get("perturbation", o.perturbation, cfg::Range(0, 0.5));
  o.perturbation_length = n.get("perturbation_length", o.perturbation_length, cfg::Positive());
  o.scattering = n.get("scattering", o.scattering, cfg::Range(0, 0.3));
  o.scattering_length = n.get("scattering_length", o.scattering_length, cfg::Positive());
  o.source_time_function = n.get_choice("source_time_function", {"causal", "ricker"}, o.source_time_function);
  o.f0_min = n.get("f0_min", o.f0_min, cfg::Positive());
  o.f0_max = n.get("f0_max", o.f0_max, cfg::Positive());
  o.source_depth_min = n.get("source_depth_min", o.source_depth_min, cfg::Positive());
  o.source_depth_max = n.get("source_depth_max", o.source_depth_max, cfg::Positive());
  o.min_offset = n.get("min_offset", o.min_offset, cfg::NonNegative());
  o.sim_duration = n.get("sim_duration", o.sim_duration, cfg::Greater(2.0));
  o.trace_seconds = n.get("trace_seconds", o.trace_seconds, cfg::Positive());
  o.sampling_rate = n.get("sampling_rate", o.sampling_rate, cfg::Positive());
  o.p_position_min = n.get("p_position_min", o.p_position_min, cfg::NonNegative());
  o.p_position_max = n.get("p_position_max", o.p_position_max, cfg::NonNegative());
  o.snr_db_min = n.get("snr_db_min", o.snr_db_min, cfg::Range(-40, 120));
  o.snr_db_max = n.get("snr_db_max", o.snr_db_max, cfg::Range(-40, 120));
  o.snr_reference = n.get_choice("snr_reference", {"p", "peak"}, o.snr_reference);
  o.noise = n.get_choice("noise", {"coloured", "ncedc", "mixed", "none"}, o.noise);
  if (n.has("ncedc_file")) {
    o.ncedc_file = n.get<std::string>("ncedc_file");
    namespace fsys = std::filesystem;
    if (fsys::path(o.ncedc_file).is_relative() && !n.file().empty())
      o.ncedc_file = (fsys::path(n.file()).parent_path() / o.ncedc_file).lexically_normal().string();
    if (!fsys::exists(o.ncedc_file)) n["ncedc_file"].fail("file '" + o.ncedc_file + "' not found");
  }
  o.eikonal_h = n.get("eikonal_h", o.eikonal_h, cfg::Positive());
  o.dev_fraction = n.get("dev_fraction", o.dev_fraction, cfg::Range(0, 1));
  o.test_fraction = n.get("test_fraction", o.test_fraction, cfg::Range(0, 1));
  o.seed = static_cast<std::uint64_t>(n.get_int("seed", static_cast<int>(o.seed), 0, 2147483647));
  o.progress = n.get<bool>("progress", o.progress);
  try {
    o.validate();
  } catch (const core::InvalidInput& e) {
    n.fail(e.what());
  }
  return o;
}

std::vector<double> layered_first_arrivals(const std::vector<wave::Layer>& layers, bool s_wave, double xmin,
                                           double xmax, double zmin, double h, double sx, double sz,
                                           const std::vector<std::array<double, 2>>& rec) {
  HYSEIS_REQUIRE(!layers.empty(), core::InvalidInput, "layered_first_arrivals: no layers");
  HYSEIS_REQUIRE(h > 0 && xmax > xmin && zmin < 0, core::InvalidInput, "layered_first_arrivals: bad grid");
  tt::NodeGrid g;
  g.nx = static_cast<int>(std::ceil((xmax - xmin) / h - 1e-9)) + 1;
  g.ny = static_cast<int>(std::ceil(-zmin / h - 1e-9)) + 1;
  g.x0 = xmin;
  g.y0 = zmin;
  g.h = h;
  // Node slowness = mean slowness of the layered model over [z - h/2, z + h/2], so that an
  // interface between two grid rows sits where it is on average (a point sample would move it
  // by up to h/2 and shift head waves by 2 (h/2) cos(ic) / v1).
  auto slowness_at = [&](double z) {
    const wave::Layer* L = &layers.front();
    for (const auto& l : layers)
      if (z <= l.z_top) L = &l;
    return 1.0 / (s_wave ? L->vs : L->vp);
  };
  Eigen::VectorXd s(g.nodes());
  for (int j = 0; j < g.ny; ++j) {
    const double z = g.y0 + j * h, a = z - 0.5 * h, b = z + 0.5 * h;
    std::vector<double> cuts{a};
    for (const auto& l : layers)
      if (l.z_top > a && l.z_top < b) cuts.push_back(l.z_top);
    cuts.push_back(b);
    std::sort(cuts.begin(), cuts.end());
    double m = 0;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k)
      m += (cuts[k + 1] - cuts[k]) * slowness_at(0.5 * (cuts[k] + cuts[k + 1]));
    for (int i = 0; i < g.nx; ++i) s[j * g.nx + i] = m / h;
  }
  tt::EikonalOptions eo;
  eo.order = 2;
  tt::Eikonal2D ek(g, eo);
  std::vector<tt::Point2> r;
  for (const auto& p : rec) r.push_back({p[0], std::min(p[1], zmin + (g.ny - 1) * h)});
  const Eigen::VectorXd t = ek.forward(s, {sx, sz}, r);
  return std::vector<double>(t.data(), t.data() + t.size());
}

double pulse_onset_offset(double f0, double fraction) {
  HYSEIS_REQUIRE(f0 > 0 && fraction > 0 && fraction < 1, core::InvalidInput,
                 "pulse_onset_offset: need f0 > 0 and 0 < fraction < 1, got " << f0 << ", " << fraction);
  // Far-field velocity pulse of a 2D moment-tensor line source whose moment follows the Ricker
  // r(t) = (1 - 2 a t^2) exp(-a t^2), a = pi^2 f0^2: the 2D Green's function behaves as
  // H(tau) / sqrt(tau) after the arrival, so v(t) ~ int_0^inf r''(t - tau) tau^{-1/2} dtau
  //                                          = 2 int_0^inf r''(t - u^2) du     (tau = u^2),
  // r''(t) = exp(-a t^2) (-6 a + 24 a^2 t^2 - 8 a^3 t^4).
  const double a = M_PI * M_PI * f0 * f0;
  auto r2 = [a](double t) {
    const double t2 = t * t;
    return std::exp(-a * t2) * (-6 * a + 24 * a * a * t2 - 8 * a * a * a * t2 * t2);
  };
  const double umax = std::sqrt(10.0 / f0);
  const int nu = 3000, nt = 3000;
  const double du = umax / nu, t0 = -3.0 / f0, dt = 6.0 / f0 / nt;
  std::vector<double> v(static_cast<std::size_t>(nt) + 1);
  double peak = 0;
  for (int i = 0; i <= nt; ++i) {
    const double t = t0 + i * dt;
    double acc = 0;
    for (int k = 0; k <= nu; ++k) {
      const double u = k * du, w = (k == 0 || k == nu) ? 0.5 : 1.0;
      acc += w * r2(t - u * u);
    }
    v[static_cast<std::size_t>(i)] = 2 * acc * du;
    peak = std::max(peak, std::abs(v[static_cast<std::size_t>(i)]));
  }
  for (int i = 0; i <= nt; ++i)
    if (std::abs(v[static_cast<std::size_t>(i)]) >= fraction * peak) return t0 + i * dt;
  return 0;
}

namespace {

// One finished trace (sent to rank 0 as doubles).
constexpr std::size_t kHeader = 12;  // event, receiver, p, s, snr, depth, dist, f0, noise, az, x, travel_p

std::string options_fingerprint(const SyntheticOptions& o) {
  std::ostringstream s;
  s.precision(17);
  s << o.events << ' ' << o.receivers_per_event << ' ' << o.width << ' ' << o.depth << ' ' << o.element_size << ' '
    << o.degree << ' ' << o.layers_min << ' ' << o.layers_max << ' ' << o.vp_min << ' ' << o.vp_max << ' ' << o.vpvs_min
    << ' ' << o.vpvs_max << ' ' << o.f0_min << ' ' << o.f0_max << ' ' << o.source_depth_min << ' ' << o.source_depth_max
    << ' ' << o.min_offset << ' ' << o.sim_duration << ' ' << o.trace_seconds << ' ' << o.sampling_rate << ' '
    << o.p_position_min << ' ' << o.p_position_max << ' ' << o.snr_db_min << ' ' << o.snr_db_max << ' ' << o.noise
    << ' ' << o.ncedc_file << ' ' << o.eikonal_h << ' ' << o.dev_fraction << ' ' << o.test_fraction << ' ' << o.seed;
  s << ' ' << o.source_time_function << ' ' << o.snr_reference;
  if (o.dip_max_deg > 0 || o.perturbation > 0 || o.scattering > 0)
    s << " lateral " << o.dip_max_deg << ' ' << o.perturbation << ' ' << o.perturbation_length << ' ' << o.scattering
      << ' ' << o.scattering_length;
  return s.str();
}

std::vector<double> coloured_noise(std::size_t L, double fs, std::mt19937_64& rng) {
  std::normal_distribution<double> N(0, 1);
  std::uniform_real_distribution<double> U(0, 1);
  const double fl = 0.2 + 1.8 * U(rng), fh = std::min(0.45 * fs, 5.0 + 25.0 * U(rng));
  std::vector<double> x(L + 400);
  for (auto& v : x) v = N(rng);
  x = solvers::signal::bandpass(x, fl, fh, fs, 2, true);
  std::vector<double> y(x.begin() + 200, x.begin() + 200 + static_cast<long>(L));
  double v = 0;
  for (double a : y) v += a * a;
  const double sd = std::sqrt(v / L);
  for (auto& a : y) a /= sd > 0 ? sd : 1;
  return y;
}

struct EventResult {
  std::vector<double> packed;  // per trace: kHeader values then 3 * L samples (Z, N, E)
};

EventResult simulate_event(const SyntheticOptions& o, int e, const detail::Ncedc* ncedc,
                           const std::vector<std::size_t>& noise_traces) {
  std::mt19937_64 rng(o.seed * 1000003ULL + static_cast<std::uint64_t>(e));
  std::uniform_real_distribution<double> U(0, 1);
  auto uni = [&](double a, double b) { return a + (b - a) * U(rng); };
  // Layered crust: interfaces sorted in depth, velocities increasing downwards.
  const int nl = o.layers_min + static_cast<int>(U(rng) * (o.layers_max - o.layers_min + 1) * 0.999999);
  std::vector<double> tops{0.0};
  for (int i = 1; i < nl; ++i) tops.push_back(-uni(0.05, 0.9) * o.depth);
  std::sort(tops.begin() + 1, tops.end(), std::greater<>());
  std::vector<double> vps(nl);
  for (auto& v : vps) v = uni(o.vp_min, o.vp_max);
  std::sort(vps.begin(), vps.end());
  std::vector<wave::Layer> layers;
  for (int i = 0; i < nl; ++i) {
    wave::Layer l;
    l.z_top = tops[i];
    l.vp = vps[i];
    l.vs = vps[i] / uni(o.vpvs_min, o.vpvs_max);
    l.rho = 310.0 * std::pow(l.vp, 0.25);  // Gardner et al. (1974), kg/m^3 with vp in m/s
    layers.push_back(l);
  }
  // Laterally varying version of the same crust, gridded at eikonal_h (see the header).
  const bool lateral = o.dip_max_deg > 0 || o.perturbation > 0 || o.scattering > 0;
  tt::NodeGrid grid;
  std::vector<double> gvp, gvs, grho;
  if (lateral) {
    grid.h = o.eikonal_h;
    grid.nx = static_cast<int>(std::ceil(o.width / grid.h - 1e-9)) + 1;
    grid.ny = static_cast<int>(std::ceil(o.depth / grid.h - 1e-9)) + 1;
    grid.x0 = 0;
    grid.y0 = -o.depth;
    struct Iface { double z0, slope, amp, k, phase; };
    std::vector<Iface> ifs;
    for (int i = 1; i < nl; ++i)
      ifs.push_back({tops[static_cast<std::size_t>(i)], std::tan(uni(-o.dip_max_deg, o.dip_max_deg) * M_PI / 180),
                     uni(0, 0.03) * o.depth, 2 * M_PI / (uni(0.3, 1.0) * o.width), uni(0, 2 * M_PI)});
    struct Blob { double x, z, a; };
    std::vector<Blob> blobs;
    for (int m = 0; m < 6; ++m) blobs.push_back({uni(0, o.width), -uni(0, o.depth), uni(-1, 1) * o.perturbation});
    // Scattering field: sum of M cosines, wavenumber components ~ N(0, 1/a^2) (Gaussian
    // autocorrelation exp(-r^2 / (2 a^2))), random phases; sqrt(2/M) makes the r.m.s. 1.
    constexpr int M = 256;
    std::array<double, M> kx{}, kz{}, ph{};
    if (o.scattering > 0) {
      std::normal_distribution<double> Nk(0.0, 1.0 / o.scattering_length);
      for (int m = 0; m < M; ++m) kx[m] = Nk(rng), kz[m] = Nk(rng), ph[m] = uni(0, 2 * M_PI);
    }
    const double amp_s = o.scattering * std::sqrt(2.0 / M);
    const std::size_t nn = static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(grid.ny);
    gvp.resize(nn), gvs.resize(nn), grho.resize(nn);
    const double l2 = 2 * o.perturbation_length * o.perturbation_length;
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i) {
        const double x = grid.x0 + i * grid.h, z = grid.y0 + j * grid.h;
        std::size_t li = 0;  // layer = number of interfaces above the point
        for (const auto& f : ifs) {
          const double zi = std::clamp(f.z0 + f.slope * (x - 0.5 * o.width) + f.amp * std::sin(f.k * x + f.phase),
                                       -0.98 * o.depth, -0.02 * o.depth);
          li += z < zi;
        }
        double d = 0;
        for (const auto& b : blobs) d += b.a * std::exp(-((x - b.x) * (x - b.x) + (z - b.z) * (z - b.z)) / l2);
        d = std::clamp(d, -o.perturbation, o.perturbation);
        if (o.scattering > 0) {
          double f = 0;
          for (int m = 0; m < M; ++m) f += std::cos(kx[m] * x + kz[m] * z + ph[m]);
          d += std::clamp(amp_s * f, -3 * o.scattering, 3 * o.scattering);
        }
        const auto& L = layers[li];
        const std::size_t k = static_cast<std::size_t>(j) * static_cast<std::size_t>(grid.nx) + static_cast<std::size_t>(i);
        gvp[k] = L.vp * (1 + d);
        gvs[k] = L.vs * (1 + d);
        grho[k] = 310.0 * std::pow(gvp[k], 0.25);
      }
  }
  // Source: 2D double couple on a plane dipping delta (in-plane), random depth and position.
  const double f0 = uni(o.f0_min, o.f0_max);
  const double delta = uni(0, M_PI);
  wave::SourceOptions src;
  src.type = wave::SourceType::moment_tensor;
  src.x = uni(0.3, 0.7) * o.width;
  src.z = -uni(o.source_depth_min, o.source_depth_max);
  src.mxx = -std::sin(2 * delta);
  src.mzz = std::sin(2 * delta);
  src.mxz = std::cos(2 * delta);
  src.f0 = f0;
  src.amplitude = 1e12;
  double onset = 0;
  if (o.source_time_function == "causal") {
    src.time_function = wave::TimeFunction::causal;
    src.time_shift = 0.05;  // the pulse starts here exactly
    onset = src.time_shift;
  } else {
    src.time_shift = 1.2 / f0;
    onset = src.time_shift + pulse_onset_offset(f0, 0.01);
  }
  // Receivers at the free surface.
  std::vector<std::array<double, 2>> rxz;
  const double margin = 2 * o.element_size;
  for (int r = 0; r < o.receivers_per_event; ++r) {
    double x = 0;
    for (int tries = 0; tries < 1000; ++tries) {
      x = uni(margin, o.width - margin);
      if (std::abs(x - src.x) >= o.min_offset) break;
    }
    rxz.push_back({x, 0.0});
  }
  wave::WaveProblem pb;
  pb.name = "picking_synthetic_" + std::to_string(e);
  pb.physics = wave::Physics::elastic;
  pb.mesh.xmin = 0;
  pb.mesh.xmax = o.width;
  pb.mesh.zmin = -o.depth;
  pb.mesh.zmax = 0;
  pb.mesh.nx = std::max(1, static_cast<int>(std::lround(o.width / o.element_size)));
  pb.mesh.nz = std::max(1, static_cast<int>(std::lround(o.depth / o.element_size)));
  pb.mesh.degree = o.degree;
  std::string model_file;
  if (lateral) {
    model_file = (std::filesystem::temp_directory_path() /
                  ("hyseis_picking_model_" + std::to_string(::getpid()) + "_" + std::to_string(e) + ".h5"))
                     .string();
    core::h5::Writer w(model_file);
    const std::vector<std::size_t> shape{static_cast<std::size_t>(grid.ny), static_cast<std::size_t>(grid.nx)};
    w.write("vp", shape, gvp.data());
    w.write("vs", shape, gvs.data());
    w.write("rho", shape, grho.data());
    w.attribute("/", "x0", grid.x0);
    w.attribute("/", "z0", grid.y0);
    w.attribute("/", "dx", grid.h);
    w.attribute("/", "dz", grid.h);
    w.commit();
    pb.medium.gridded = wave::GriddedModel{model_file};
  } else {
    pb.medium.layers = layers;
  }
  pb.sources = {src};
  for (std::size_t r = 0; r < rxz.size(); ++r) pb.receivers.push_back({"R" + std::to_string(r), rxz[r][0], rxz[r][1]});
  pb.record = wave::RecordQuantity::velocity;
  pb.time.duration = onset + o.sim_duration;
  pb.time.cfl = 0.5;
  pb.snapshots.image_nx = 0;
  pb.snapshots.image_nz = 0;
  wave::RunResult res;
  try {
    res = wave::run(pb, MPI_COMM_SELF);
  } catch (...) {
    if (!model_file.empty()) std::filesystem::remove(model_file);
    throw;
  }
  if (!model_file.empty()) std::filesystem::remove(model_file);
  const auto& sg = res.seismograms;
  const double dt = res.stats.dt, fs = o.sampling_rate;
  // Labels: first arrivals of the layered model (eikonal) + the source onset.
  std::vector<double> tp, ts;
  if (lateral) {
    tt::EikonalOptions eo;
    eo.order = 2;
    const tt::Eikonal2D ek(grid, eo);
    std::vector<tt::Point2> r;
    for (const auto& p : rxz) r.push_back({p[0], p[1]});
    for (int w = 0; w < 2; ++w) {
      Eigen::VectorXd sl(static_cast<Eigen::Index>(gvp.size()));
      for (std::size_t k = 0; k < gvp.size(); ++k) sl[static_cast<Eigen::Index>(k)] = 1.0 / (w ? gvs[k] : gvp[k]);
      const Eigen::VectorXd t = ek.forward(sl, {src.x, src.z}, r);
      (w ? ts : tp).assign(t.data(), t.data() + t.size());
    }
  } else {
    tp = layered_first_arrivals(layers, false, 0, o.width, -o.depth, o.eikonal_h, src.x, src.z, rxz);
    ts = layered_first_arrivals(layers, true, 0, o.width, -o.depth, o.eikonal_h, src.x, src.z, rxz);
  }
  const std::size_t L = static_cast<std::size_t>(std::lround(o.trace_seconds * fs)) + 1;
  EventResult out;
  for (std::size_t r = 0; r < rxz.size(); ++r) {
    // Resample both components from the solver's step to fs; sample k at time k / fs.
    std::array<std::vector<double>, 2> v;
    for (int c = 0; c < 2; ++c) {
      std::vector<double> x = sg.data[r][static_cast<std::size_t>(c)];
      v[c] = solvers::signal::resample(x, 1.0 / dt, fs);
      // Cosine taper over the last 2 s of the simulation (the run ends there).
      const std::size_t n = v[c].size(), nt = static_cast<std::size_t>(2 * fs);
      for (std::size_t k = 0; k < std::min(n, nt); ++k)
        v[c][n - 1 - k] *= 0.5 * (1 - std::cos(M_PI * static_cast<double>(k) / nt));
    }
    const double t_p = onset + tp[r], t_s = onset + ts[r];
    const long start = std::lround((t_p - uni(o.p_position_min, o.p_position_max)) * fs);  // sim sample of trace start
    const double az = uni(0, 2 * M_PI);
    std::vector<std::vector<double>> zne(3, std::vector<double>(L, 0.0));
    for (std::size_t k = 0; k < L; ++k) {
      const long j = start + static_cast<long>(k);
      if (j < 0 || j >= static_cast<long>(v[0].size())) continue;
      const double vx = v[0][static_cast<std::size_t>(j)], vz = v[1][static_cast<std::size_t>(j)];
      zne[0][k] = vz;
      zne[1][k] = vx * std::sin(az);
      zne[2][k] = vx * std::cos(az);
    }
    double peak = 0;
    for (const auto& c : zne)
      for (double a : c) peak = std::max(peak, std::abs(a));
    if (peak > 0)
      for (auto& c : zne)
        for (auto& a : c) a /= peak;
    // Noise
    const double snr_db = uni(o.snr_db_min, o.snr_db_max);
    double ref = 1.0;  // trace peak (normalised)
    if (o.snr_reference == "p") {  // peak of the first 0.5 s of P (before S)
      const double a = t_p * fs - static_cast<double>(start), b = std::min(a + 0.5 * fs, t_s * fs - static_cast<double>(start));
      double pk = 0;
      for (const auto& c : zne)
        for (long k = std::max(0L, static_cast<long>(std::ceil(a))); k < std::min(static_cast<long>(L), static_cast<long>(b)); ++k)
          pk = std::max(pk, std::abs(c[static_cast<std::size_t>(k)]));
      if (pk > 0) ref = pk;
    }
    const double sigma = ref / std::pow(10.0, snr_db / 20.0);
    int kind = 0;  // 0 none, 1 coloured, 2 ncedc
    if (o.noise == "coloured") kind = 1;
    else if (o.noise == "ncedc") kind = 2;
    else if (o.noise == "mixed") kind = U(rng) < 0.5 ? 1 : 2;
    if (kind == 2 && (!ncedc || noise_traces.empty())) kind = 1;
    if (kind == 1) {
      for (auto& c : zne) {
        const auto nz = coloured_noise(L, fs, rng);
        for (std::size_t k = 0; k < L; ++k) c[k] += sigma * nz[k];
      }
    } else if (kind == 2) {
      // Pre-P noise of a 3-component NCEDC training trace (indices 0..99 only): samples
      // [0, itp - 100), demeaned, scaled by the Z std; extended by mirroring to L samples.
      const std::size_t i = noise_traces[static_cast<std::size_t>(U(rng) * noise_traces.size()) % noise_traces.size()];
      const std::size_t len = static_cast<std::size_t>(ncedc->itp[i]) - 100;
      const auto seg = ncedc->zne(i, 0, len);
      std::array<double, 3> mean{};
      for (int c = 0; c < 3; ++c) {
        for (double a : seg[c]) mean[c] += a;
        mean[c] /= len;
      }
      double var = 0;
      for (double a : seg[0]) var += (a - mean[0]) * (a - mean[0]);
      const double sd = std::sqrt(var / len);
      const std::size_t off = static_cast<std::size_t>(U(rng) * len);
      for (int c = 0; c < 3; ++c)
        for (std::size_t k = 0; k < L; ++k) {
          std::size_t m = (k + off) % (2 * len);
          if (m >= len) m = 2 * len - 1 - m;
          zne[c][k] += sigma * (seg[c][m] - mean[c]) / (sd > 0 ? sd : 1);
        }
    }
    const double p_sample = t_p * fs - static_cast<double>(start), s_sample = t_s * fs - static_cast<double>(start);
    out.packed.insert(out.packed.end(),
                      {static_cast<double>(e), static_cast<double>(r), p_sample, s_sample, snr_db, -src.z,
                       std::abs(rxz[r][0] - src.x), f0, static_cast<double>(kind), az, rxz[r][0], tp[r]});
    for (const auto& c : zne) out.packed.insert(out.packed.end(), c.begin(), c.end());
  }
  return out;
}

}  // namespace

SyntheticReport generate_picking_synthetics(const SyntheticOptions& o, const std::string& dir, MPI_Comm comm) {
  o.validate();
  const auto t0 = std::chrono::steady_clock::now();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  SyntheticReport rep;
  rep.dataset_dir = dir;
  const std::string fp_file = dir + "/synthetics.json";
  const std::string fp = options_fingerprint(o);
  // Reuse a complete dataset made with the same options.
  int reuse = 0;
  if (rank == 0 && std::filesystem::exists(fp_file) && std::filesystem::exists(dir + "/metadata.csv") &&
      std::filesystem::exists(dir + "/waveforms.hdf5")) {
    const Json j = core::json::read(fp_file);
    if (j.value("options", std::string()) == fp) {
      reuse = 1;
      rep.traces = j.value("traces", std::size_t{0});
      rep.events = j.value("events", std::size_t{0});
    }
  }
  MPI_Bcast(&reuse, 1, MPI_INT, 0, comm);
  if (reuse) {
    if (rank == 0) spdlog::info("picking synthetics: reusing the complete dataset in {}", dir);
    return rep;
  }
  std::unique_ptr<detail::Ncedc> ncedc;
  std::vector<std::size_t> noise_traces;
  if (o.noise == "ncedc" || o.noise == "mixed") {
    ncedc = std::make_unique<detail::Ncedc>(detail::read_ncedc(o.ncedc_file));
    for (std::size_t i = 0; i < std::min<std::size_t>(100, ncedc->n); ++i)  // training split only
      if (!ncedc->single_component(i) && ncedc->itp[i] > 200) noise_traces.push_back(i);
  }
  std::vector<double> mine;
  int done = 0;
  for (int e = rank; e < o.events; e += size) {
    const auto r = simulate_event(o, e, ncedc.get(), noise_traces);
    mine.insert(mine.end(), r.packed.begin(), r.packed.end());
    ++done;
    if (o.progress && rank == 0)
      spdlog::info("picking synthetics: event {}/{} on rank 0 ({:.1f} s)", done, (o.events + size - 1) / size,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  // Gather on rank 0.
  int n_mine = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
  MPI_Gather(&n_mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  std::vector<double> all;
  if (rank == 0) {
    int tot = 0;
    for (int i = 0; i < size; ++i) displs[i] = tot, tot += counts[i];
    all.resize(static_cast<std::size_t>(tot));
  }
  MPI_Gatherv(mine.data(), n_mine, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, comm);
  const std::size_t L = static_cast<std::size_t>(std::lround(o.trace_seconds * o.sampling_rate)) + 1;
  const std::size_t rec = kHeader + 3 * L;
  rep.events = static_cast<std::size_t>(o.events);
  rep.traces = static_cast<std::size_t>(o.events) * static_cast<std::size_t>(o.receivers_per_event);
  if (rank == 0) {
    HYSEIS_REQUIRE(all.size() == rep.traces * rec, core::NumericalError,
                   "picking synthetics: gathered " << all.size() << " values, expected " << rep.traces * rec);
    std::vector<std::size_t> order(rep.traces);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double* A = &all[a * rec];
      const double* B = &all[b * rec];
      return A[0] != B[0] ? A[0] < B[0] : A[1] < B[1];
    });
    std::filesystem::create_directories(dir);
    learning::data::DataFormat df;
    df.component_order = "ZNE";
    df.sampling_rate = o.sampling_rate;
    df.measurement = "velocity";
    df.unit = "normalised (peak signal = 1)";
    df.instrument_response = "none (synthetic)";
    learning::data::SeisBenchWriter w(dir, df, 256);
    const char* noise_names[] = {"none", "coloured", "ncedc"};
    for (std::size_t i : order) {
      const double* h = &all[i * rec];
      const int e = static_cast<int>(h[0]);
      std::mt19937_64 srng(o.seed * 7919ULL + static_cast<std::uint64_t>(e));
      const double u = std::uniform_real_distribution<double>(0, 1)(srng);
      const std::string split = u < o.test_fraction ? "test" : u < o.test_fraction + o.dev_fraction ? "dev" : "train";
      std::map<std::string, std::string> m;
      auto num = [](double v) {
        std::ostringstream s;
        s.precision(10);
        s << v;
        return s.str();
      };
      m["source_id"] = "syn" + std::to_string(e);
      m["station_code"] = "R" + std::to_string(static_cast<int>(h[1]));
      m["station_network_code"] = "SY";
      m["split"] = split;
      m["trace_sampling_rate_hz"] = num(o.sampling_rate);
      m["trace_p_arrival_sample"] = num(h[2]);
      m["trace_s_arrival_sample"] = num(h[3]);
      m["trace_snr_db"] = num(h[4]);
      m["source_depth_km"] = num(h[5] / 1000);
      m["path_ep_distance_km"] = num(h[6] / 1000);
      m["source_f0_hz"] = num(h[7]);
      m["trace_noise"] = noise_names[static_cast<int>(h[8])];
      m["station_back_azimuth_rad"] = num(h[9]);
      m["station_x_m"] = num(h[10]);
      m["path_p_travel_time_s"] = num(h[11]);
      learning::data::Waveform wf;
      wf.channels = 3;
      wf.samples = L;
      wf.data.assign(h + kHeader, h + rec);
      w.add(m, wf);
    }
    w.finish();
    Json j;
    j["options"] = fp;
    j["traces"] = rep.traces;
    j["events"] = rep.events;
    core::json::write_atomic(fp_file, j);
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

void run_picking_synthetics(const cfg::Node& root, const std::string& out_dir, MPI_Comm comm) {
  root.require_map();
  root.allow_keys({"scenario", "synthetics", "output"});
  root["scenario"].allow_keys({"name", "type", "description"});
  const SyntheticOptions o = root.has("synthetics") ? parse_synthetic_options(root["synthetics"]) : SyntheticOptions{};
  if (!root.has("synthetics")) o.validate();
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const std::string dir = out_dir + "/dataset";
  const auto rep = generate_picking_synthetics(o, dir, comm);
  if (rank != 0) return;
  // Figure: the first traces (Z), with P (blue) and S (red) labels.
  learning::data::SeisBenchDataset ds(dir);
  core::plot::LinePlot lp;
  lp.title = "synthetic training traces (Z, normalised) with eikonal P (blue) and S (red) labels";
  lp.xlabel = "time (s)";
  lp.ylabel = "trace";
  const std::size_t show = std::min<std::size_t>(8, ds.size());
  for (std::size_t i = 0; i < show; ++i) {
    const auto wf = ds.waveform(i);
    core::plot::Series s;
    double mx = 0;
    for (std::size_t k = 0; k < wf.samples; ++k) mx = std::max(mx, std::abs(wf.at(0, k)));
    for (std::size_t k = 0; k < wf.samples; ++k) {
      s.x.push_back(k / o.sampling_rate);
      s.y.push_back(static_cast<double>(i) + 0.45 * wf.at(0, k) / (mx > 0 ? mx : 1));
    }
    lp.series.push_back(s);
    for (int ph = 0; ph < 2; ++ph) {
      const double t = ds.number(i, ph ? "trace_s_arrival_sample" : "trace_p_arrival_sample") / o.sampling_rate;
      core::plot::Series m;
      m.x = {t, t};
      m.y = {i - 0.5, i + 0.5};
      m.color = ph ? std::array<unsigned char, 3>{200, 0, 0} : std::array<unsigned char, 3>{0, 0, 220};
      lp.series.push_back(m);
    }
  }
  core::plot::save_png(lp, out_dir + "/examples.png");
  Json s;
  s["traces"] = rep.traces;
  s["events"] = rep.events;
  s["seconds"] = rep.seconds;
  s["dataset"] = "dataset (SeisBench layout: metadata.csv + waveforms.hdf5, components ZNE)";
  s["train"] = ds.split("train").size();
  s["dev"] = ds.split("dev").size();
  s["test"] = ds.split("test").size();
  core::json::write_atomic(out_dir + "/summary.json", s);
}

}  // namespace hyseis::hybrid::picking
