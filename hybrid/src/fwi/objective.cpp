#include "hyseis/hybrid/fwi/objective.hpp"

#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::hybrid::fwi {

ShotsEvaluation evaluate_shots(ShotObjective& obj, const Eigen::VectorXd& m, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int ns = obj.n_shots(), np = obj.n_params();
  HYSEIS_REQUIRE(m.size() == np, core::InvalidInput,
                 "fwi: model has " << m.size() << " parameters, the objective expects " << np);
  // Row s of buf: [misfit_s, grad_s(0..np-1)], filled only by the rank that owns shot s.
  std::vector<double> buf(std::size_t(ns) * (np + 1), 0.0);
  int local_error = 0;
  std::string message;
  for (int s = rank; s < ns; s += size) {
    try {
      Eigen::VectorXd g(np);
      const double f = obj.misfit_gradient(m, s, g);
      HYSEIS_REQUIRE(g.size() == np, core::NumericalError, "fwi: shot " << s << " returned " << g.size() << " gradient values");
      double* row = buf.data() + std::size_t(s) * (np + 1);
      row[0] = f;
      for (int i = 0; i < np; ++i) row[i + 1] = g[i];
    } catch (const std::exception& e) {
      local_error = 1;
      message = e.what();
      break;
    }
  }
  // A failure on any rank is raised on every rank (no rank left waiting in a collective).
  int any_error = 0;
  MPI_Allreduce(&local_error, &any_error, 1, MPI_INT, MPI_MAX, comm);
  if (any_error) {
    int root = local_error ? rank : size;
    int first = 0;
    MPI_Allreduce(&root, &first, 1, MPI_INT, MPI_MIN, comm);
    int len = int(message.size());
    MPI_Bcast(&len, 1, MPI_INT, first, comm);
    message.resize(std::size_t(len));
    MPI_Bcast(message.data(), len, MPI_CHAR, first, comm);
    throw core::NumericalError("fwi: shot evaluation failed on rank " + std::to_string(first) + ": " + message);
  }
  if (size > 1) MPI_Allreduce(MPI_IN_PLACE, buf.data(), int(buf.size()), MPI_DOUBLE, MPI_SUM, comm);
  ShotsEvaluation ev;
  ev.gradient = Eigen::VectorXd::Zero(np);
  ev.shot_misfits.resize(std::size_t(ns));
  for (int s = 0; s < ns; ++s) {
    const double* row = buf.data() + std::size_t(s) * (np + 1);
    ev.shot_misfits[std::size_t(s)] = row[0];
    ev.misfit += row[0];
    for (int i = 0; i < np; ++i) ev.gradient[i] += row[i + 1];
  }
  HYSEIS_REQUIRE(std::isfinite(ev.misfit), core::NumericalError, "fwi: data misfit is " << ev.misfit);
  return ev;
}

}  // namespace hyseis::hybrid::fwi
