// Scenario YAML -> WaveProblem. Every check names file, line and YAML path (core::config).
#include "wave_scenario.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "hyseis/core/hdf5.hpp"

namespace hyseis::scenarios {

namespace wave = physics::wave;
using core::config::Node;
namespace cfg = core::config;

namespace {

// vs must stay below vp*sqrt(3)/2 so that lambda > -mu (2D Poisson ratio in (-1, 0.5)).
const double kMaxVsOverVp = std::sqrt(3.0) / 2.0;

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

struct Box {
  double xmin, xmax, zmin, zmax;
  bool inside(double x, double z) const {
    const double tol = 1e-9 * std::max(xmax - xmin, zmax - zmin);
    return x >= xmin - tol && x <= xmax + tol && z >= zmin - tol && z <= zmax + tol;
  }
  std::string str() const {
    return "[" + num(xmin) + ", " + num(xmax) + "] x [" + num(zmin) + ", " + num(zmax) + "]";
  }
};

void check_point(const Node& n, double x, double z, const Box& box, const std::string& what) {
  if (box.inside(x, z)) return;
  n.fail(what + " at (x = " + num(x) + ", z = " + num(z) + ") lies outside the mesh " + box.str());
}

wave::MeshOptions parse_mesh(const Node& m) {
  m.allow_keys({"xmin", "xmax", "zmin", "zmax", "nx", "nz", "degree", "refinements"});
  wave::MeshOptions o;
  o.xmin = m.get<double>("xmin");
  o.xmax = m.get("xmax", cfg::Greater(o.xmin));
  o.zmin = m.get<double>("zmin");
  o.zmax = m.get("zmax", cfg::Greater(o.zmin));
  o.nx = m.get_int("nx", -1, 1, 100000);
  if (o.nx < 0) m.fail("missing required key 'nx'");
  o.nz = m.get_int("nz", -1, 1, 100000);
  if (o.nz < 0) m.fail("missing required key 'nz'");
  o.degree = m.get_int("degree", 4, 1, 8);
  o.refinements = m.get_int("refinements", 0, 0, 8);
  const double cells = static_cast<double>(o.nx) * o.nz * std::pow(4.0, o.refinements);
  if (cells > 2e7) m.fail("mesh too large: " + num(cells) + " cells (limit 2e7)");
  return o;
}

void check_model_file(const Node& n, const std::string& path, wave::Physics physics) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) n.fail("model file '" + path + "' not found");
  std::vector<std::string> needed = {"vp", "rho"};
  if (physics == wave::Physics::elastic) needed.push_back("vs");
  for (const auto& d : needed) {
    core::h5::Array a;
    try {
      a = core::h5::read_dataset(path, d);
    } catch (const core::IoError& e) {
      n.fail(std::string("cannot use model file: ") + e.what());
    }
    if (a.shape.size() != 2) n.fail("model file '" + path + "': dataset '" + d + "' must be 2-D (nz x nx)");
    for (double v : a.data)
      if (!(std::isfinite(v) && (v > 0 || (d == "vs" && physics == wave::Physics::acoustic))))
        n.fail("model file '" + path + "': dataset '" + d + "' has a value " + num(v) + " (must be > 0)");
  }
  for (const char* attr : {"x0", "z0", "dx", "dz"}) {
    try {
      core::h5::read_attribute(path, "/", attr);
    } catch (const core::IoError& e) {
      n.fail(std::string("cannot use model file: ") + e.what());
    }
  }
}

wave::MediumOptions parse_medium(const Node& m, wave::Physics physics, const std::string& base_dir) {
  m.allow_keys({"layers", "model"});
  wave::MediumOptions o;
  const bool elastic = physics == wave::Physics::elastic;
  if (m.one_of({"layers", "model"}) == "model") {
    const Node f = m["model"];
    std::filesystem::path p(f.as<std::string>());
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    std::error_code ec;
    const auto abs = std::filesystem::absolute(p, ec).lexically_normal();
    check_model_file(f, abs.string(), physics);
    o.gridded = wave::GriddedModel{abs.string()};
    return o;
  }
  const Node layers = m["layers"];
  const auto elems = layers.elements();
  if (elems.empty()) layers.fail("at least one layer is required");
  for (std::size_t i = 0; i < elems.size(); ++i) {
    const Node& l = elems[i];
    l.allow_keys({"z_top", "vp", "vs", "rho"});
    wave::Layer layer;
    layer.z_top = l.get<double>("z_top");
    if (i > 0 && !(layer.z_top < o.layers.back().z_top))
      l["z_top"].fail("must be below the previous layer's z_top = " + num(o.layers.back().z_top) +
                      " (layers are listed top to bottom), got " + num(layer.z_top));
    layer.vp = l.get("vp", cfg::Positive());
    layer.rho = l.get("rho", cfg::Positive());
    if (elastic) {
      layer.vs = l.get("vs", cfg::Positive());
      if (!(layer.vs < kMaxVsOverVp * layer.vp))
        l["vs"].fail("must be < vp*sqrt(3)/2 = " + num(kMaxVsOverVp * layer.vp) +
                     " (Poisson ratio must lie in (-1, 0.5); vp = " + num(layer.vp) + "), got " + num(layer.vs));
    } else {
      layer.vs = l.get("vs", 0.0, cfg::NonNegative());
    }
    o.layers.push_back(layer);
  }
  return o;
}

wave::BoundaryType boundary(const Node& b, const std::string& side, const std::string& fallback) {
  return b.get_choice(side, {"free", "absorbing"}, fallback) == "free" ? wave::BoundaryType::free
                                                                      : wave::BoundaryType::absorbing;
}

wave::SourceOptions parse_source(const Node& s, wave::Physics physics, const Box& box) {
  s.allow_keys({"type", "x", "z", "fx", "fz", "mxx", "mzz", "mxz", "time_function", "f0", "time_shift", "amplitude"});
  wave::SourceOptions o;
  const bool elastic = physics == wave::Physics::elastic;
  const std::string type = s.get_choice("type", {"force", "moment_tensor", "pressure"}, elastic ? "force" : "pressure");
  if (elastic && type == "pressure") s["type"].fail("pressure sources need physics: acoustic (use force or moment_tensor)");
  if (!elastic && type != "pressure") s["type"].fail("acoustic physics needs a pressure source, got '" + type + "'");
  o.type = type == "force" ? wave::SourceType::force
           : type == "moment_tensor" ? wave::SourceType::moment_tensor
                                     : wave::SourceType::pressure;
  const std::vector<std::string> force_keys = {"fx", "fz"}, moment_keys = {"mxx", "mzz", "mxz"};
  for (const auto& k : type == "force" ? moment_keys : force_keys)
    if (s.has(k)) s[k].fail("does not apply to a " + type + " source");
  if (type == "pressure")
    for (const auto& k : moment_keys)
      if (s.has(k)) s[k].fail("does not apply to a pressure source");
  o.x = s.get<double>("x");
  o.z = s.get<double>("z");
  if (!box.inside(o.x, o.z)) check_point(box.inside(o.x, box.zmin) ? s["z"] : s["x"], o.x, o.z, box, "source");
  if (type == "force") {
    o.fx = s.get<double>("fx", 0.0);
    o.fz = s.get<double>("fz", s.has("fx") ? 0.0 : -1.0);
    if (o.fx == 0 && o.fz == 0) s.fail("force source needs a non-zero (fx, fz)");
  } else {
    o.fx = o.fz = 0;
  }
  if (type == "moment_tensor") {
    o.mxx = s.get<double>("mxx", 0.0);
    o.mzz = s.get<double>("mzz", 0.0);
    o.mxz = s.get<double>("mxz", 0.0);
    if (o.mxx == 0 && o.mzz == 0 && o.mxz == 0) s.fail("moment tensor source needs a non-zero mxx, mzz or mxz");
  }
  const std::string tf =
      s.get_choice("time_function", {"ricker", "gaussian", "gaussian_derivative", "causal"}, "ricker");
  o.time_function = tf == "ricker"     ? wave::TimeFunction::ricker
                    : tf == "gaussian" ? wave::TimeFunction::gaussian
                    : tf == "causal"   ? wave::TimeFunction::causal
                                       : wave::TimeFunction::gaussian_derivative;
  o.f0 = s.get("f0", cfg::Positive());
  o.time_shift = s.get<double>("time_shift", 1.2 / o.f0);
  o.amplitude = s.get<double>("amplitude", 1.0);
  return o;
}

std::vector<wave::Receiver> parse_receivers(const Node& r, const Box& box) {
  std::vector<wave::Receiver> out;
  if (r.is_map()) {
    r.allow_keys({"line"});
    const Node line = r["line"];
    line.allow_keys({"from", "to", "count", "prefix"});
    const Node from = line["from"], to = line["to"];
    const auto a = from.as<std::vector<double>>();
    const auto b = to.as<std::vector<double>>();
    if (a.size() != 2) from.fail("expected [x, z], got " + std::to_string(a.size()) + " numbers");
    if (b.size() != 2) to.fail("expected [x, z], got " + std::to_string(b.size()) + " numbers");
    check_point(from, a[0], a[1], box, "receiver line start");
    check_point(to, b[0], b[1], box, "receiver line end");
    const int count = line.get_int("count", -1, 1, 100000);
    if (count < 0) line.fail("missing required key 'count'");
    const std::string prefix = line.get<std::string>("prefix", "R");
    for (int i = 0; i < count; ++i) {
      const double t = count == 1 ? 0.0 : static_cast<double>(i) / (count - 1);
      char name[64];
      std::snprintf(name, sizeof name, "%s%03d", prefix.c_str(), i + 1);
      out.push_back({name, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])});
    }
    return out;
  }
  std::set<std::string> names;
  const auto elems = r.elements();
  for (std::size_t i = 0; i < elems.size(); ++i) {
    const Node& e = elems[i];
    e.allow_keys({"name", "x", "z"});
    char def[32];
    std::snprintf(def, sizeof def, "R%03zu", i + 1);
    wave::Receiver rec{e.get<std::string>("name", def), e.get<double>("x"), e.get<double>("z")};
    if (!box.inside(rec.x, rec.z))
      check_point(box.inside(rec.x, box.zmin) ? e["z"] : e["x"], rec.x, rec.z, box, "receiver '" + rec.name + "'");
    if (!names.insert(rec.name).second) (e.has("name") ? e["name"] : e).fail("duplicate receiver name '" + rec.name + "'");
    out.push_back(rec);
  }
  return out;
}

// --- resolved configuration ----------------------------------------------------------------
const char* to_str(wave::BoundaryType b) { return b == wave::BoundaryType::free ? "free" : "absorbing"; }
const char* to_str(wave::SourceType t) {
  return t == wave::SourceType::force ? "force" : t == wave::SourceType::moment_tensor ? "moment_tensor" : "pressure";
}
const char* to_str(wave::TimeFunction t) {
  return t == wave::TimeFunction::ricker     ? "ricker"
         : t == wave::TimeFunction::gaussian ? "gaussian"
         : t == wave::TimeFunction::causal   ? "causal"
                                             : "gaussian_derivative";
}
const char* to_str(wave::RecordQuantity q) {
  switch (q) {
    case wave::RecordQuantity::displacement: return "displacement";
    case wave::RecordQuantity::velocity: return "velocity";
    case wave::RecordQuantity::acceleration: return "acceleration";
    case wave::RecordQuantity::pressure: return "pressure";
  }
  return "?";
}

std::string resolved_yaml(const WaveScenario& sc) {
  const auto& p = sc.problem;
  YAML::Emitter e;
  auto kv = [&](const char* k, double v) { e << YAML::Key << k << YAML::Value << num(v); };
  e << YAML::BeginMap;
  e << YAML::Key << "scenario" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
    << p.name << YAML::Key << "type" << YAML::Value << sc.type << YAML::EndMap;
  e << YAML::Key << "physics" << YAML::Value << (p.physics == wave::Physics::elastic ? "elastic" : "acoustic");
  e << YAML::Key << "mesh" << YAML::Value << YAML::Flow << YAML::BeginMap;
  kv("xmin", p.mesh.xmin), kv("xmax", p.mesh.xmax), kv("zmin", p.mesh.zmin), kv("zmax", p.mesh.zmax);
  e << YAML::Key << "nx" << YAML::Value << p.mesh.nx << YAML::Key << "nz" << YAML::Value << p.mesh.nz;
  e << YAML::Key << "degree" << YAML::Value << p.mesh.degree << YAML::Key << "refinements" << YAML::Value
    << p.mesh.refinements << YAML::EndMap;
  e << YAML::Key << "medium" << YAML::Value << YAML::BeginMap;
  if (p.medium.gridded) {
    e << YAML::Key << "model" << YAML::Value << p.medium.gridded->file;
  } else {
    e << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
    for (const auto& l : p.medium.layers) {
      e << YAML::Flow << YAML::BeginMap;
      kv("z_top", l.z_top), kv("vp", l.vp), kv("vs", l.vs), kv("rho", l.rho);
      e << YAML::EndMap;
    }
    e << YAML::EndSeq;
  }
  e << YAML::EndMap;
  e << YAML::Key << "boundaries" << YAML::Value << YAML::Flow << YAML::BeginMap;
  e << YAML::Key << "top" << YAML::Value << to_str(p.boundaries.top) << YAML::Key << "bottom" << YAML::Value
    << to_str(p.boundaries.bottom) << YAML::Key << "left" << YAML::Value << to_str(p.boundaries.left)
    << YAML::Key << "right" << YAML::Value << to_str(p.boundaries.right) << YAML::EndMap;
  e << YAML::Key << "sources" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : p.sources) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value << to_str(s.type);
    kv("x", s.x), kv("z", s.z);
    if (s.type == wave::SourceType::force) kv("fx", s.fx), kv("fz", s.fz);
    if (s.type == wave::SourceType::moment_tensor) kv("mxx", s.mxx), kv("mzz", s.mzz), kv("mxz", s.mxz);
    e << YAML::Key << "time_function" << YAML::Value << to_str(s.time_function);
    kv("f0", s.f0), kv("time_shift", s.time_shift), kv("amplitude", s.amplitude);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "receivers" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : p.receivers) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name;
    kv("x", r.x), kv("z", r.z);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "record" << YAML::Value << to_str(p.record);
  e << YAML::Key << "time" << YAML::Value << YAML::Flow << YAML::BeginMap;
  kv("t_start", p.time.t_start), kv("duration", p.time.duration), kv("dt", p.time.dt), kv("cfl", p.time.cfl);
  e << YAML::EndMap;
  e << YAML::Key << "output" << YAML::Value << YAML::Flow << YAML::BeginMap;
  e << YAML::Key << "snapshot_every" << YAML::Value << sc.output.snapshot_every;
  kv("image_time", sc.output.image_time);
  e << YAML::Key << "vtu" << YAML::Value << sc.output.vtu << YAML::EndMap;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace

WaveScenario parse_wave_scenario(const core::config::Document& doc) {
  const Node root = doc.root();
  root.require_map();
  root.allow_keys({"scenario", "physics", "mesh", "medium", "boundaries", "sources", "receivers", "record", "time", "output"});
  WaveScenario sc;
  sc.file = doc.file();
  wave::WaveProblem& p = sc.problem;

  const Node s = root["scenario"];
  s.allow_keys({"name", "type", "description"});
  p.name = s.get<std::string>("name");
  if (p.name.empty() || p.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                            std::string::npos || p.name[0] == '.')
    s["name"].fail("must be a non-empty name of letters, digits, '_', '-', '.' (it names the output folder), got '" +
                   p.name + "'");
  if (s.has("description")) s.get<std::string>("description");
  sc.type = s.get_choice("type", {"wave2d"}, "wave2d");

  p.physics = root.get_choice("physics", {"elastic", "acoustic"}, "elastic") == "elastic" ? wave::Physics::elastic
                                                                                       : wave::Physics::acoustic;
  const bool elastic = p.physics == wave::Physics::elastic;
  p.mesh = parse_mesh(root["mesh"]);
  const Box box{p.mesh.xmin, p.mesh.xmax, p.mesh.zmin, p.mesh.zmax};
  p.medium = parse_medium(root["medium"], p.physics, doc.directory());

  if (auto b = root.optional("boundaries")) {
    b->allow_keys({"top", "bottom", "left", "right"});
    p.boundaries.top = boundary(*b, "top", "free");
    p.boundaries.bottom = boundary(*b, "bottom", "absorbing");
    p.boundaries.left = boundary(*b, "left", "absorbing");
    p.boundaries.right = boundary(*b, "right", "absorbing");
  }

  const Node src = root["sources"];
  const auto src_elems = src.elements();
  if (src_elems.empty()) src.fail("at least one source is required");
  for (const auto& e : src_elems) p.sources.push_back(parse_source(e, p.physics, box));

  if (auto r = root.optional("receivers")) p.receivers = parse_receivers(*r, box);

  const std::string rec = root.get_choice("record", {"displacement", "velocity", "acceleration", "pressure"},
                                          elastic ? "displacement" : "pressure");
  if (elastic && rec == "pressure") root["record"].fail("pressure can only be recorded with physics: acoustic");
  p.record = rec == "displacement" ? wave::RecordQuantity::displacement
             : rec == "velocity"   ? wave::RecordQuantity::velocity
             : rec == "acceleration" ? wave::RecordQuantity::acceleration
                                     : wave::RecordQuantity::pressure;

  const Node t = root["time"];
  t.allow_keys({"t_start", "duration", "dt", "cfl"});
  p.time.t_start = t.get<double>("t_start", 0.0);
  p.time.duration = t.get("duration", cfg::Positive());
  p.time.dt = t.get("dt", 0.0, cfg::NonNegative());
  p.time.cfl = t.get("cfl", 0.5, cfg::Constraint{[](double v) { return v > 0 && v <= 1; }, "must be in (0, 1]"});
  if (p.time.dt > 0 && p.time.duration / p.time.dt > 5e6)
    t["dt"].fail("gives " + num(p.time.duration / p.time.dt) + " steps for duration " + num(p.time.duration) +
                 " s (limit 5e6)");

  if (auto o = root.optional("output")) {
    o->allow_keys({"snapshot_every", "image_time", "vtu"});
    sc.output.vtu = o->get<bool>("vtu", false);
    sc.output.snapshot_every = o->get_int("snapshot_every", 0, 0, 100000000);
    sc.output.image_time = o->get<double>("image_time", -1.0);
    if (sc.output.vtu && sc.output.snapshot_every == 0)
      (o->has("snapshot_every") ? (*o)["snapshot_every"] : (*o)["vtu"])
          .fail("VTU snapshots (vtu: true) need snapshot_every > 0 (steps between snapshots)");
  }
  p.snapshots.every = sc.output.vtu ? sc.output.snapshot_every : 0;
  // Relative default; `hyseis run` points it into the output directory being written.
  if (p.snapshots.every > 0) p.snapshots.vtu_prefix = "snapshots/wavefield";
  p.snapshots.image_time = sc.output.image_time;
  // Gridded snapshot with square pixels, about 500 across.
  const double aspect = (p.mesh.zmax - p.mesh.zmin) / (p.mesh.xmax - p.mesh.xmin);
  p.snapshots.image_nx = aspect <= 1 ? 500 : std::max(50, static_cast<int>(500 / aspect));
  p.snapshots.image_nz = aspect <= 1 ? std::max(50, static_cast<int>(500 * aspect)) : 500;

  // Backstop: the physics' own checks (should never fire after the checks above).
  try {
    p.validate();
  } catch (const core::InvalidInput& e) {
    throw core::ConfigError(doc.file(), 0, "", e.what());
  }
  sc.resolved_yaml = resolved_yaml(sc);
  return sc;
}

WaveScenario load_wave_scenario(const std::string& file, const std::vector<std::string>& overrides) {
  return parse_wave_scenario(core::config::load_file(file, overrides));
}

}  // namespace hyseis::scenarios
