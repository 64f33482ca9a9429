// Spectral-element wave solver: the definitions of detail::WaveSolver<dim> (declared in
// solver_impl.hpp) and run(). See docs/theory/wave-solver.md.
#include "solver_impl.hpp"

namespace hyseis::physics::wave {

namespace detail {

GllNumbering gll_numbering(int degree) {
  GllNumbering out;
  const QGaussLobatto<2> q(degree + 1);
  const FE_Q<2> fe(QGaussLobatto<1>(degree + 1));
  const auto l2h = lex_to_hier<2>(degree);
  for (unsigned i = 0; i < q.size(); ++i) {
    out.quadrature_points.push_back(std::array<double, 2>{{q.point(i)[0], q.point(i)[1]}});
    const Point<2> s = fe.get_unit_support_points()[l2h[i]];
    out.support_points.push_back(std::array<double, 2>{{s[0], s[1]}});
  }
  return out;
}


template <int dim>
WaveSolver<dim>::WaveSolver(const WaveProblem& problem, MPI_Comm comm)
    : problem_(problem),
      comm_(comm),
      rank_(static_cast<int>(Utilities::MPI::this_mpi_process(comm))),
      nranks_(static_cast<int>(Utilities::MPI::n_mpi_processes(comm))),
      elastic_(problem.physics == Physics::elastic),
      nc_(elastic_ ? dim : 1),
      medium_(problem.medium, problem.physics),
      mo_(problem.mesh),
      p_(problem.mesh.degree),
      n1_(p_ + 1),
      nq_(Utilities::fixed_power<dim>(n1_)),
      lo_(Coords::lower(problem.mesh)),
      hi_(Coords::upper(problem.mesh)),
      tria_(comm),
      gll1_(n1_),
      gll_(n1_),
      fe_(gll1_),
      dof_(tria_),
      lag_(p_) {
  stride_[0] = 1;
  for (int d = 1; d < dim; ++d) stride_[d] = stride_[d - 1] * n1_;
  qindex_.resize(nq_);
  for (int q = 0; q < nq_; ++q)
    for (int d = 0; d < dim; ++d) qindex_[q][d] = (q / stride_[d]) % n1_;
  for (int d = 0; d < dim; ++d) {
    l_[d].resize(n1_);
    dl_[d].resize(n1_);
  }

  setup_mesh_and_dofs();
  assemble_geometry_and_matrices();
  op_.emplace(elastic_, mesh_, lam_, mu_, irho_);
  estimate_time_step();
  setup_sources_and_receivers();
}

template <int dim>
void WaveSolver<dim>::setup_mesh_and_dofs() {
  const auto reps = Coords::subdivisions(mo_);
  GridGenerator::subdivided_hyper_rectangle(tria_, std::vector<unsigned int>(reps.begin(), reps.end()),
                                            lo_, hi_, /*colorize=*/true);
  // colorize: boundary id 2d = lower face of axis d, 2d + 1 = upper face.
  tria_.refine_global(static_cast<unsigned>(mo_.refinements));

  dof_.distribute_dofs(fe_);
  const IndexSet owned = dof_.locally_owned_dofs();
  IndexSet active;
  DoFTools::extract_locally_active_dofs(dof_, active);
  IndexSet ghost = active;
  ghost.subtract_set(owned);
  part1_ = std::make_shared<const Utilities::MPI::Partitioner>(owned, ghost, comm_);
  part_ = part1_;
  if (elastic_) {
    const auto nc = static_cast<types::global_dof_index>(nc_);
    IndexSet owned_c(nc * dof_.n_dofs()), ghost_c(nc * dof_.n_dofs());
    for (auto it = owned.begin_intervals(); it != owned.end_intervals(); ++it)
      owned_c.add_range(nc * *it->begin(), nc * (it->last() + 1));
    std::vector<types::global_dof_index> gc;
    for (const auto g : ghost)
      for (types::global_dof_index c = 0; c < nc; ++c) gc.push_back(nc * g + c);
    ghost_c.add_indices(gc.begin(), gc.end());
    owned_c.compress();
    ghost_c.compress();
    part_ = std::make_shared<const Utilities::MPI::Partitioner>(owned_c, ghost_c, comm_);
  }
  n_local_nodes_ = static_cast<int>(part1_->locally_owned_size() + part1_->n_ghost_indices());
  n_owned_ = static_cast<int>(part_->locally_owned_size());
  n_local_ = nc_ * n_local_nodes_;

  l2h_ = lex_to_hier<dim>(p_);
  for (int q = 0; q < nq_; ++q) {  // internal invariant: FE_Q support points == GLL tensor points
    const Point<dim> s = fe_.get_unit_support_points()[l2h_[q]];
    if (s.distance(gll_.point(q)) > 1e-12)
      throw std::logic_error("wave solver: FE_Q support points do not match QGaussLobatto<dim>");
  }
}

template <int dim>
void WaveSolver<dim>::assemble_geometry_and_matrices() {
  const auto side_type = Coords::boundary_types(problem_.boundaries);
  mesh_.degree = p_;
  mesh_.n_nodes = n_local_nodes_;
  node_x_.assign(n_local_nodes_, Point<dim>());
  mass_.reinit(part_);
  damp_.reinit(part_);
  dirichlet_.reinit(part1_);

  FEValues<dim> fev(fe_, gll_, update_quadrature_points | update_inverse_jacobians | update_JxW_values);
  const QGaussLobatto<dim - 1> gll_face(n1_);
  FEFaceValues<dim> fefv(fe_, gll_face, update_quadrature_points | update_normal_vectors | update_JxW_values);
  std::vector<types::global_dof_index> dofs(fe_.n_dofs_per_cell());
  std::vector<int> local(nq_);
  for (const auto& cell : dof_.active_cell_iterators()) {
    if (!cell->is_locally_owned()) continue;
    fev.reinit(cell);
    cell->get_dof_indices(dofs);
    CellGeom<dim> cg{};
    for (int q = 0; q < nq_; ++q) {
      const int k = static_cast<int>(part1_->global_to_local(dofs[l2h_[q]]));
      local[q] = k;
      mesh_.cell_nodes.push_back(k);
      node_x_[k] = fev.quadrature_point(q);
      // The kernels' reference cell is [-1,1]^dim (gll_rule); deal.II's is [0,1]^dim, so
      // d(xi_kernel)/dx = 2 d(xi_dealii)/dx. jxw is the physical measure, the same in both.
      const auto ij = fev.inverse_jacobian(q);
      for (int d = 0; d < dim; ++d)
        for (int i = 0; i < dim; ++i) mesh_.inv_jacobian.push_back(2 * ij[d][i]);
      mesh_.jxw.push_back(fev.JxW(q));
    }
    cg.x0 = node_x_[local[0]];
    for (int d = 0; d < dim; ++d)
      for (int i = 0; i < dim; ++i) cg.e[d][i] = node_x_[local[p_ * stride_[d]]][i] - cg.x0[i];
    cg.finish();
    for (int i = 0; i < dim; ++i) {
      cg.lo[i] = std::numeric_limits<double>::max();
      cg.hi[i] = -std::numeric_limits<double>::max();
    }
    for (unsigned v = 0; v < GeometryInfo<dim>::vertices_per_cell; ++v)
      for (int i = 0; i < dim; ++i) {
        cg.lo[i] = std::min(cg.lo[i], cell->vertex(v)[i]);
        cg.hi[i] = std::max(cg.hi[i], cell->vertex(v)[i]);
      }
    // Material at a point nudged towards the cell centre: a layer interface on a cell face is
    // then seen sharply by both cells (each takes its own side's properties).
    auto nudged = [&](const Point<dim>& x) {
      const double s = 1e-6;
      Point<dim> y;
      for (int i = 0; i < dim; ++i) y[i] = x[i] + s * (cg.centre[i] - x[i]);
      return y;
    };
    auto material = [&](const Point<dim>& x) { return Coords::material(medium_, nudged(x)); };
    for (int q = 0; q < nq_; ++q) {
      mat_point_.push_back(nudged(node_x_[local[q]]));
      const Material m = material(node_x_[local[q]]);
      const double jxw = mesh_.jxw[mesh_.jxw.size() - nq_ + q];
      if (elastic_) {
        mu_.push_back(m.rho * m.vs * m.vs);
        lam_.push_back(m.rho * (m.vp * m.vp - 2 * m.vs * m.vs));
        for (int c = 0; c < nc_; ++c) mass_.local_element(nc_ * local[q] + c) += m.rho * jxw;
      } else {
        irho_.push_back(1.0 / m.rho);
        mass_.local_element(local[q]) += jxw / (m.rho * m.vp * m.vp);
      }
    }
    geom_.push_back(cg);
    for (unsigned f = 0; f < GeometryInfo<dim>::faces_per_cell; ++f) {
      if (!cell->face(f)->at_boundary()) continue;
      const auto bid = cell->face(f)->boundary_id();
      if (bid >= side_type.size()) continue;
      const BoundaryType bt = side_type[bid];
      if (bt == BoundaryType::free && elastic_) continue;  // traction-free: natural condition
      fefv.reinit(cell, f);
      const double h = cg.size();
      for (unsigned q = 0; q < fefv.n_quadrature_points; ++q) {
        const Point<dim> x = fefv.quadrature_point(q);
        int k = -1;
        for (int c = 0; c < nq_; ++c)
          if (length<dim>(node_x_[local[c]] - x) < 1e-9 * h) k = local[c];
        if (k < 0) throw std::logic_error("wave solver: face GLL point is not a cell node");
        if (bt == BoundaryType::free) {  // acoustic pressure release p = 0
          dirichlet_.local_element(k) = 1.0;
          has_dirichlet_ = true;
          continue;
        }
        has_damping_ = true;
        const Material m = material(x);
        const Tensor<1, dim> n = fefv.normal_vector(q);
        const double jxw = fefv.JxW(q);
        bsamples_.push_back(BoundarySample{k, jxw, n, nudged(x)});
        if (elastic_) {
          const double cn = m.rho * m.vp, ct = m.rho * m.vs;
          for (int c = 0; c < nc_; ++c)
            damp_.local_element(nc_ * k + c) += jxw * (cn * n[c] * n[c] + ct * (1 - n[c] * n[c]));
        } else {
          damp_.local_element(k) += jxw / (m.rho * m.vp);
        }
      }
    }
  }
  mesh_.n_cells = static_cast<int>(geom_.size());
  // Flags are identical on all ranks only after a reduction (a rank may have no boundary).
  has_damping_ = Utilities::MPI::max(has_damping_ ? 1 : 0, comm_) > 0;
  has_dirichlet_ = Utilities::MPI::max(has_dirichlet_ ? 1 : 0, comm_) > 0;
  for (DVec* v : {&mass_, &damp_}) {
    v->compress(VectorOperation::add);
    v->update_ghost_values();
  }
  dirichlet_.compress(VectorOperation::add);
  dirichlet_.update_ghost_values();
  inv_mass_.reinit(part_);
  for (int i = 0; i < n_local_; ++i) {
    const bool fixed = dirichlet_.local_element(i / nc_) > 0;
    inv_mass_.local_element(i) = fixed ? 0.0 : 1.0 / mass_.local_element(i);
  }
}

template <int dim>
void WaveSolver<dim>::apply_k(DVec& x, DVec& r) {
  r.zero_out_ghost_values();
  op_->apply(view(x), view(r));
  r.compress(VectorOperation::add);
  r.update_ghost_values();
}

template <int dim>
void WaveSolver<dim>::estimate_time_step() {
  // ---- stability limit: power iteration on M^-1 K -------------------------------------------
  for (DVec* w : {&u_, &v_, &a_, &r_, &f_}) w->reinit(part_);
  double lambda_max = 0;
  {
    for (int i = 0; i < n_local_; ++i) {
      const Point<dim>& x = node_x_[i / nc_];
      Point<dim> xn;
      for (int d = 0; d < dim; ++d) xn[d] = (x[d] - lo_[d]) / (hi_[d] - lo_[d]);
      u_.local_element(i) = inv_mass_.local_element(i) > 0 ? rough_start<dim>(xn, i % nc_) : 0.0;
    }
    for (int it = 0; it < kPowerIterations; ++it) {
      apply_k(u_, r_);
      double s[2] = {0, 0};  // x^T K x, x^T M x
      for (int i = 0; i < n_owned_; ++i) {
        s[0] += u_.local_element(i) * r_.local_element(i);
        if (inv_mass_.local_element(i) > 0)
          s[1] += u_.local_element(i) * u_.local_element(i) / inv_mass_.local_element(i);
      }
      double g[2];
      MPI_Allreduce(s, g, 2, MPI_DOUBLE, MPI_SUM, comm_);
      if (g[1] <= 0) break;
      lambda_max = std::max(lambda_max, g[0] / g[1]);
      // x <- M^-1 K x, normalised in the M norm
      double ny = 0;
      for (int i = 0; i < n_local_; ++i) u_.local_element(i) = inv_mass_.local_element(i) * r_.local_element(i);
      for (int i = 0; i < n_owned_; ++i)
        if (inv_mass_.local_element(i) > 0) ny += u_.local_element(i) * u_.local_element(i) / inv_mass_.local_element(i);
      ny = std::sqrt(allreduce_sum(ny, comm_));
      if (!(ny > 0)) break;
      for (int i = 0; i < n_local_; ++i) u_.local_element(i) /= ny;
    }
  }
  HYSEIS_REQUIRE(lambda_max > 0 && std::isfinite(lambda_max), core::NumericalError,
                 "wave solver: could not estimate the stability limit (lambda_max = " << lambda_max << ")");
  dt_stable_ = kCflSafety * 2.0 / std::sqrt(lambda_max);

  const TimeOptions& to = problem_.time;
  dt_ = to.dt;
  if (dt_ > 0) {
    HYSEIS_REQUIRE(dt_ <= dt_stable_, core::NumericalError,
                   "time.dt = " << fmt(dt_) << " s exceeds the stability (CFL) limit " << fmt(dt_stable_)
                                << " s of this mesh and model; reduce time.dt or set it to 0 "
                                   "(chosen from time.cfl)");
    n_steps_ = static_cast<int>(std::ceil(to.duration / dt_ - 1e-9));
  } else {
    n_steps_ = static_cast<int>(std::ceil(to.duration / (to.cfl * dt_stable_)));
    dt_ = to.duration / n_steps_;
  }
  n_steps_ = std::max(n_steps_, 1);
}

/// Among all cells that contain x (tolerance 1e-10 in unit coordinates) the one with the
/// lexicographically smallest centre (first coordinate first) wins, independently of the
/// partition. Returns the local cell index (and the unit coordinates xi) on the owning rank and
/// -1 elsewhere.
template <int dim>
int WaveSolver<dim>::locate(Point<dim> x, double* xi) const {
  // validate() accepts points up to 1e-9 * size outside the domain: move them onto it.
  for (int d = 0; d < dim; ++d) x[d] = std::clamp(x[d], lo_[d], hi_[d]);
  const double tol = 1e-10;
  int best = -1;
  for (std::size_t c = 0; c < geom_.size(); ++c) {
    double a[dim];
    geom_[c].unit(x, a);
    bool inside = true;
    for (int d = 0; d < dim; ++d) inside = inside && !(a[d] < -tol || a[d] > 1 + tol);
    if (!inside) continue;
    if (best < 0 || lex_less(geom_[c].centre, geom_[best].centre)) best = static_cast<int>(c);
  }
  double mine[1 + dim];
  mine[0] = best >= 0 ? 1.0 : 0.0;
  for (int d = 0; d < dim; ++d) mine[1 + d] = best >= 0 ? geom_[best].centre[d] : 0.0;
  std::vector<double> all((1 + dim) * nranks_);
  MPI_Allgather(mine, 1 + dim, MPI_DOUBLE, all.data(), 1 + dim, MPI_DOUBLE, comm_);
  int owner = -1;
  for (int r = 0; r < nranks_; ++r) {
    if (all[(1 + dim) * r] == 0.0) continue;
    Point<dim> cr, co;
    for (int d = 0; d < dim; ++d) {
      cr[d] = all[(1 + dim) * r + 1 + d];
      if (owner >= 0) co[d] = all[(1 + dim) * owner + 1 + d];
    }
    if (owner < 0 || lex_less(cr, co)) owner = r;
  }
  if (owner < 0) {
    std::ostringstream msg;
    msg << "point (";
    for (int d = 0; d < dim; ++d) msg << (d ? ", " : "") << Coords::names[d] << " = " << x[d];
    msg << ") lies in no cell of the mesh";
    throw core::InvalidInput(msg.str());
  }
  if (owner != rank_) return -1;
  geom_[best].unit(x, xi);
  for (int d = 0; d < dim; ++d) xi[d] = std::clamp(xi[d], 0.0, 1.0);
  return best;
}

template <int dim>
void WaveSolver<dim>::shape(const CellGeom<dim>& cg, const double* xi, std::vector<double>& val,
                            std::vector<Tensor<1, dim>>& grad) {
  for (int d = 0; d < dim; ++d) lag_.eval(xi[d], l_[d].data(), dl_[d].data());
  val.resize(nq_);
  grad.resize(nq_);
  for (int q = 0; q < nq_; ++q) {
    const auto& id = qindex_[q];
    double v = l_[0][id[0]];
    for (int d = 1; d < dim; ++d) v *= l_[d][id[d]];
    val[q] = v;
    double dref[dim];  // d phi / d xi_e
    for (int e = 0; e < dim; ++e) {
      double g = (e == 0 ? dl_[0] : l_[0])[id[0]];
      for (int d = 1; d < dim; ++d) g *= (e == d ? dl_[d] : l_[d])[id[d]];
      dref[e] = g;
    }
    for (int i = 0; i < dim; ++i) {
      double g = cg.inv[0][i] * dref[0];
      for (int e = 1; e < dim; ++e) g += cg.inv[e][i] * dref[e];
      grad[q][i] = g;
    }
  }
}

template <int dim>
typename WaveSolver<dim>::SparseSource WaveSolver<dim>::source_weights(const SourceOptions& so) {
  std::vector<double> val;
  std::vector<Tensor<1, dim>> grad;
  double xi[dim];
  SparseSource out;
  const int c = locate(Coords::location(so), xi);
  zero_all(f_);
  if (c >= 0) {
    shape(geom_[c], xi, val, grad);
    const Tensor<1, dim> force = Coords::force(so);
    const Tensor<2, dim> moment = Coords::moment(so);
    for (int q = 0; q < nq_; ++q) {
      const int k = mesh_.cell_nodes[c * nq_ + q];
      switch (so.type) {
        case SourceType::force:
          for (int i = 0; i < dim; ++i) f_.local_element(dim * k + i) += force[i] * val[q];
          break;
        case SourceType::moment_tensor:  // f = -div(M delta): rhs_i = M grad(phi_i)(x_s)
          for (int i = 0; i < dim; ++i) {
            double m = moment[i][0] * grad[q][0];
            for (int j = 1; j < dim; ++j) m += moment[i][j] * grad[q][j];
            f_.local_element(dim * k + i) += m;
          }
          break;
        case SourceType::pressure: f_.local_element(k) += val[q]; break;
      }
    }
  }
  f_.compress(VectorOperation::add);
  f_.update_ghost_values();
  for (int i = 0; i < n_local_; ++i)
    if (f_.local_element(i) != 0.0) {
      out.idx.push_back(i);
      out.w.push_back(f_.local_element(i));
    }
  zero_all(f_);
  return out;
}

template <int dim>
void WaveSolver<dim>::setup_sources_and_receivers() {
  std::vector<double> val;
  std::vector<Tensor<1, dim>> grad;
  double xi[dim];
  src_.clear();
  for (const SourceOptions& so : problem_.sources) src_.push_back(source_weights(so));

  for (std::size_t i = 0; i < problem_.receivers.size(); ++i) {
    const int c = locate(Coords::location(problem_.receivers[i]), xi);
    if (c < 0) continue;
    shape(geom_[c], xi, val, grad);
    LocalReceiver lr{static_cast<int>(i), {}, {}};
    for (int q = 0; q < nq_; ++q) {
      lr.node.push_back(mesh_.cell_nodes[c * nq_ + q]);
      lr.w.push_back(val[q]);
    }
    recs_.push_back(std::move(lr));
  }
}

template <int dim>
GriddedField WaveSolver<dim>::grid_field(const std::string& name, double t) const {
  const SnapshotOptions& so = problem_.snapshots;
  GriddedField g;
  g.nx = so.image_nx;
  g.nz = so.image_nz;
  g.xmin = mo_.xmin;
  g.xmax = mo_.xmax;
  g.zmin = mo_.zmin;
  g.zmax = mo_.zmax;
  g.time = t;
  g.name = name;
  g.values.assign(static_cast<std::size_t>(g.nx) * g.nz, 0.0);
  return g;
}

/// Pixel centres (x, z) of the image are points of the domain (Coords::point); each is
/// evaluated by the one cell whose half-open bounding box contains it.
template <int dim>
GriddedField WaveSolver<dim>::capture_image(double t) {
  GriddedField g = grid_field(elastic_ ? "|u|" : "p", t);
  const int ax = Coords::image_axes[0], az = Coords::image_axes[1];
  const double hx = (mo_.xmax - mo_.xmin) / std::max(g.nx, 1);
  const double hz = (mo_.zmax - mo_.zmin) / std::max(g.nz, 1);
  auto in_box = [](const CellGeom<dim>& cg, const Point<dim>& x, int d) {
    return x[d] >= cg.lo[d] && x[d] < cg.hi[d];  // half-open: each pixel in exactly one cell
  };
  for (std::size_t c = 0; c < geom_.size(); ++c) {
    const CellGeom<dim>& cg = geom_[c];
    const int ix0 = std::max(0, static_cast<int>(std::floor((cg.lo[ax] - mo_.xmin) / hx - 0.5)) - 1);
    const int ix1 = std::min(g.nx - 1, static_cast<int>(std::ceil((cg.hi[ax] - mo_.xmin) / hx - 0.5)) + 1);
    const int iz0 = std::max(0, static_cast<int>(std::floor((cg.lo[az] - mo_.zmin) / hz - 0.5)) - 1);
    const int iz1 = std::min(g.nz - 1, static_cast<int>(std::ceil((cg.hi[az] - mo_.zmin) / hz - 0.5)) + 1);
    for (int iz = iz0; iz <= iz1; ++iz) {
      const double z = mo_.zmin + (iz + 0.5) * hz;
      for (int ix = ix0; ix <= ix1; ++ix) {
        const double x = mo_.xmin + (ix + 0.5) * hx;
        const Point<dim> pt = Coords::point(x, z);
        bool inside = true;
        for (int d = 0; d < dim; ++d) inside = inside && in_box(cg, pt, d);
        if (!inside) continue;
        double xi[dim];
        cg.unit(pt, xi);
        for (int d = 0; d < dim; ++d) lag_.eval(std::clamp(xi[d], 0.0, 1.0), l_[d].data(), nullptr);
        double s[dim] = {};
        for (int q = 0; q < nq_; ++q) {
          const auto& id = qindex_[q];
          double w = l_[0][id[0]];
          for (int d = 1; d < dim; ++d) w *= l_[d][id[d]];
          const int k = mesh_.cell_nodes[c * nq_ + q];
          for (int cc = 0; cc < nc_; ++cc) s[cc] += w * u_.local_element(nc_ * k + cc);
        }
        double value = s[0];
        if (elastic_) {
          if constexpr (dim == 2)
            value = std::hypot(s[0], s[1]);
          else
            value = std::hypot(s[0], s[1], s[2]);
        }
        g.values[static_cast<std::size_t>(iz) * g.nx + ix] = value;
      }
    }
  }
  std::vector<double> sum(g.values.size());
  MPI_Allreduce(g.values.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm_);
  g.values = std::move(sum);
  return g;
}

template <int dim>
void WaveSolver<dim>::write_vtu(int n) {
  const SnapshotOptions& so = problem_.snapshots;
  const std::filesystem::path prefix(so.vtu_prefix);
  std::string dir = prefix.parent_path().string();
  dir = dir.empty() ? std::string("./") : dir + "/";
  if (rank_ == 0) std::filesystem::create_directories(dir);
  MPI_Barrier(comm_);
  std::vector<DVec> comp(nc_, DVec(part1_));
  for (int c = 0; c < nc_; ++c)
    for (int k = 0; k < n_local_nodes_; ++k) comp[c].local_element(k) = u_.local_element(nc_ * k + c);
  for (auto& c : comp) c.update_ghost_values();
  DataOut<dim> out;
  out.attach_dof_handler(dof_);
  if (elastic_) {
    for (int c = 0; c < nc_; ++c) out.add_data_vector(comp[c], std::string("u") + Coords::names[c]);
  } else {
    out.add_data_vector(comp[0], "p");
  }
  out.build_patches(static_cast<unsigned>(p_));
  out.write_vtu_with_pvtu_record(dir, prefix.filename().string(), static_cast<unsigned>(n / so.every),
                                 comm_, 5);
}

template <int dim>
RunResult WaveSolver<dim>::run(const ProgressFn& progress) {
  const TimeOptions& to = problem_.time;
  const double dt = dt_;
  const int n_steps = n_steps_;
  const int nc = nc_;

  // ---- result skeleton ----------------------------------------------------------------------
  RunResult result;
  Seismograms& seis = result.seismograms;
  const int n_samples = n_steps + 1;
  for (int n = 0; n < n_samples; ++n) seis.time.push_back(to.t_start + n * dt);
  for (const auto& rc : problem_.receivers) {
    seis.receiver_names.push_back(rc.name);
    seis.receiver_xz.push_back(std::array<double, 2>{{rc.x, rc.z}});
  }
  DVec* recorded = &u_;
  if (elastic_) {
    seis.components.assign(Coords::names.begin(), Coords::names.end());
    switch (problem_.record) {
      case RecordQuantity::velocity: seis.quantity = "velocity"; seis.unit = "m/s"; recorded = &v_; break;
      case RecordQuantity::acceleration: seis.quantity = "acceleration"; seis.unit = "m/s^2"; recorded = &a_; break;
      default: seis.quantity = "displacement"; seis.unit = "m"; break;
    }
  } else {
    seis.components = {"p"};
    switch (problem_.record) {
      case RecordQuantity::velocity: seis.quantity = "dp/dt"; seis.unit = "Pa/s"; recorded = &v_; break;
      case RecordQuantity::acceleration: seis.quantity = "d2p/dt2"; seis.unit = "Pa/s^2"; recorded = &a_; break;
      default: seis.quantity = "pressure"; seis.unit = "Pa"; break;
    }
  }
  const std::size_t n_rec = problem_.receivers.size();
  std::vector<double> rec_data(n_rec * nc * n_samples, 0.0);  // [r][c][n]
  auto record = [&](int n) {
    for (const auto& lr : recs_)
      for (int c = 0; c < nc; ++c) {
        double s = 0;
        for (std::size_t q = 0; q < lr.node.size(); ++q) s += lr.w[q] * recorded->local_element(nc * lr.node[q] + c);
        rec_data[(lr.index * nc + c) * n_samples + n] = s;
      }
  };

  // gridded snapshot
  const SnapshotOptions& so = problem_.snapshots;
  const bool want_image = so.image_nx > 0 && so.image_nz > 0;
  int n_image = n_steps;
  if (so.image_time >= 0)
    n_image = std::clamp(static_cast<int>(std::lround((so.image_time - to.t_start) / dt)), 0, n_steps);

  // ---- initial state ------------------------------------------------------------------------
  const AnalyticFields& an = problem_.analytic;
  zero_all(u_);
  zero_all(v_);
  for (int k = 0; k < n_local_nodes_; ++k) {
    if (dirichlet_.local_element(k) > 0) continue;
    if (an.initial_u) {
      const auto val0 = Coords::field(an.initial_u, node_x_[k], to.t_start);
      for (int c = 0; c < nc; ++c) u_.local_element(nc * k + c) = val0[c];
    }
    if (an.initial_v) {
      const auto val0 = Coords::field(an.initial_v, node_x_[k], to.t_start);
      for (int c = 0; c < nc; ++c) v_.local_element(nc * k + c) = val0[c];
    }
  }
  auto set_force = [&](double t) {
    for (std::size_t s = 0; s < src_.size(); ++s) {
      const double g = source_time_function(problem_.sources[s], t);
      for (std::size_t i = 0; i < src_[s].idx.size(); ++i) f_.local_element(src_[s].idx[i]) += g * src_[s].w[i];
    }
  };
  auto clear_force = [&]() {
    for (const auto& s : src_)
      for (const int i : s.idx) f_.local_element(i) = 0.0;
  };
  // Damping enters with the end-of-step velocity v_{n+1} = v_{n+1/2} + dt/2 a_{n+1}:
  //   M a_{n+1} + C v_{n+1} = f - K u_{n+1}  <=>  a_{n+1} = (f - K u - C v_{n+1/2}) / (M + dt/2 C),
  // i.e. newmark_correct with the effective inverse mass 1/(M + dt/2 C). This is Newmark's
  // gamma = 1/2 treatment of a diagonal damping (second order, no extra stability limit);
  // damping on the half-step velocity alone is unstable at Stacey corners for cfl ~ 0.5.
  DVec inv_mass_eff(part_);
  for (int i = 0; i < n_local_; ++i) {
    const double im = inv_mass_.local_element(i);
    inv_mass_eff.local_element(i) = im > 0 ? 1.0 / (1.0 / im + 0.5 * dt * damp_.local_element(i)) : 0.0;
  }
  const ks::Vector no_damping;
  auto correct = [&](double step) {
    DVec& im = step > 0 ? inv_mass_eff : inv_mass_;
    if (has_damping_)
      ks::newmark_correct(step, view(im), view(f_), view(r_), view(damp_), view(v_), view(a_));
    else
      ks::newmark_correct(step, view(im), view(f_), view(r_), no_damping, view(v_), view(a_));
  };
  auto check_finite = [&](int n) {
    const double m = ks::max_abs_or_nan(view(u_));
    const int bad = Utilities::MPI::max(std::isfinite(m) ? 0 : 1, comm_);
    HYSEIS_REQUIRE(bad == 0, core::NumericalError,
                   "wave solver: the wavefield became NaN/Inf at step " << n << " (t = " << fmt(to.t_start + n * dt)
                                                                       << " s, dt = " << fmt(dt) << " s, dt_stable = "
                                                                       << fmt(dt_stable_) << " s)");
  };

  apply_k(u_, r_);
  set_force(to.t_start);
  correct(0.0);  // a0 = M^-1 (f0 - K u0 - C v0)
  clear_force();
  check_finite(0);
  record(0);
  if (want_image && n_image == 0) result.snapshot = capture_image(to.t_start);
  if (so.every > 0) write_vtu(0);

  // ---- time loop ----------------------------------------------------------------------------
  RunStats& st = result.stats;
  const int progress_every = std::max(1, n_steps / 100);
  MPI_Barrier(comm_);
  const double t0 = MPI_Wtime();
  for (int n = 0; n < n_steps; ++n) {
    const double t1 = to.t_start + (n + 1) * dt;
    ks::newmark_predict(dt, view(u_), view(v_), view(a_));  // u = u_{n+1}, v = v_{n+1/2}
    if (to.energy_every > 0 && n % to.energy_every == 0) {
      double e[2] = {0, 0};
      for (int i = 0; i < n_owned_; ++i) {
        if (inv_mass_.local_element(i) > 0)
          e[0] += v_.local_element(i) * v_.local_element(i) / inv_mass_.local_element(i);
        e[1] += u_.local_element(i) * r_.local_element(i);  // r = K u_n
      }
      double g[2];
      MPI_Allreduce(e, g, 2, MPI_DOUBLE, MPI_SUM, comm_);
      st.energy_time.push_back(to.t_start + (n + 0.5) * dt);
      st.energy.push_back(0.5 * (g[0] + g[1]));
    }
    apply_k(u_, r_);
    set_force(t1);
    correct(dt);
    clear_force();
    if ((n + 1) % kNanCheckEvery == 0 || n + 1 == n_steps) check_finite(n + 1);
    record(n + 1);
    if (want_image && n + 1 == n_image) result.snapshot = capture_image(t1);
    if (so.every > 0 && (n + 1) % so.every == 0) write_vtu(n + 1);
    if (progress && rank_ == 0 && ((n + 1) % progress_every == 0 || n + 1 == n_steps)) progress(n + 1, n_steps);
  }
  const double wall = Utilities::MPI::max(MPI_Wtime() - t0, comm_);

  // ---- gather results -----------------------------------------------------------------------
  {
    std::vector<double> sum(rec_data.size());
    if (!rec_data.empty())
      MPI_Allreduce(rec_data.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm_);
    seis.data.assign(n_rec, std::vector<std::vector<double>>(nc, std::vector<double>(n_samples)));
    for (std::size_t i = 0; i < n_rec; ++i)
      for (int c = 0; c < nc; ++c)
        std::copy_n(sum.begin() + (i * nc + c) * n_samples, n_samples, seis.data[i][c].begin());
  }
  if (want_image) {
    GriddedField g = grid_field("vp", 0.0);
    const double hx = (mo_.xmax - mo_.xmin) / g.nx, hz = (mo_.zmax - mo_.zmin) / g.nz;
    for (int iz = 0; iz < g.nz; ++iz)
      for (int ix = 0; ix < g.nx; ++ix)
        g.values[static_cast<std::size_t>(iz) * g.nx + ix] =
            Coords::material(medium_, Coords::point(mo_.xmin + (ix + 0.5) * hx, mo_.zmin + (iz + 0.5) * hz)).vp;
    result.vp_model = std::move(g);
  }

  if (an.exact_u) {
    const double tf = to.t_start + n_steps * dt;
    double e[2] = {0, 0};
    for (int c = 0; c < mesh_.n_cells; ++c)
      for (int q = 0; q < nq_; ++q) {
        const int k = mesh_.cell_nodes[c * nq_ + q];
        const auto ex = Coords::field(an.exact_u, node_x_[k], tf);
        for (int cc = 0; cc < nc; ++cc) {
          const double d = u_.local_element(nc * k + cc) - ex[cc];
          e[0] += mesh_.jxw[c * nq_ + q] * d * d;
          e[1] += mesh_.jxw[c * nq_ + q] * ex[cc] * ex[cc];
        }
      }
    double g[2];
    MPI_Allreduce(e, g, 2, MPI_DOUBLE, MPI_SUM, comm_);
    st.l2_error_final = std::sqrt(g[0]);
    st.l2_norm_exact_final = std::sqrt(g[1]);
  }

  st.dt = dt;
  st.dt_stable = dt_stable_;
  st.n_steps = n_steps;
  st.n_cells = static_cast<long long>(tria_.n_global_active_cells());
  st.n_gll_points = static_cast<long long>(dof_.n_dofs());
  st.n_dofs = static_cast<long long>(nc) * dof_.n_dofs();
  st.wall_time_loop = wall;
  st.point_updates_per_s = wall > 0 ? static_cast<double>(st.n_gll_points) * n_steps / wall : 0.0;
  st.mpi_ranks = nranks_;
  return result;
}

// The problem description is 2D; 3D follows with 3D kernels (SemKernels<3>) and a 3D
// description (ProblemCoordinates<3>).
template class WaveSolver<2>;

}  // namespace detail

RunResult run(const WaveProblem& problem, MPI_Comm comm, const ProgressFn& progress) {
  problem.validate();
  HYSEIS_REQUIRE(Kokkos::is_initialized(), core::Error,
                 "wave solver: Kokkos is not initialised (create a Kokkos::ScopeGuard in main, "
                 "after MPI_Init)");
  detail::ensure_p4est_initialised();
  detail::WaveSolver<2> solver(problem, comm);
  return solver.run(progress);
}

}  // namespace hyseis::physics::wave
