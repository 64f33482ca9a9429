#include "hyseis/validation/cases.hpp"
#include "hyseis/validation/adjoint_cases.hpp"
#include "hyseis/validation/cycle_cases.hpp"
#include "hyseis/validation/gmpe_cases.hpp"
#include "hyseis/validation/okada_cases.hpp"
#include "hyseis/validation/pde_find_cases.hpp"
#include "hyseis/validation/picking_cases.hpp"
#include "hyseis/validation/tomography_cases.hpp"

namespace hyseis::validation {

// Wave-solver cases: case_specfem.cpp, case_lamb.cpp, case_convergence.cpp. Okada and GMPE
// cases: okada_cases.cpp, cycle_cases.cpp, gmpe_cases.cpp, pde_find_cases.cpp, tomography_cases.cpp, picking_cases.cpp (their own lists, appended below).
CaseResult elastic_force_homogeneous_pml(const Options& o);
CaseResult acoustic_pressure_homogeneous(const Options& o);
CaseResult elastic_force_absolute_amplitude(const Options& o);
CaseResult lamb_free_surface(const Options& o);
CaseResult convergence_h(const Options& o);
CaseResult convergence_p(const Options& o);

namespace {

std::vector<Case> wave_cases() {
  return {
      {"elastic_force_homogeneous_pml",
       "SPECFEM2D semi_infinite_homogeneous rerun: vertical force, Ricker 8 Hz, Stacey box",
       "SPECFEM2D REF_ANALYTICAL (x -1) and REF_SEIS", elastic_force_homogeneous_pml},
      {"acoustic_pressure_homogeneous",
       "SPECFEM2D viscoacoustic (attenuation off) rerun: pressure source, 50 Hz, Stacey box",
       "Gar6more2D (t - 0.024 s, x -1e3), Carcione analytical, SPECFEM2D REF_SEIS",
       acoustic_pressure_homogeneous},
      {"elastic_force_absolute_amplitude",
       "SPECFEM2D absolute-amplitude check: 1 N/m vertical force, Ricker 18 Hz",
       "time-domain analytical solution, SPECFEM2D REF_SEIS", elastic_force_absolute_amplitude},
      {"lamb_free_surface",
       "2D Lamb's problem: vertical line force on a free surface, surface receivers",
       "discrete-wavenumber integration of the exact half-space response (validation/src/lamb.cpp)",
       lamb_free_surface},
      {"convergence_h", "h-refinement on an exact acoustic standing mode (degrees 2 and 4)",
       "exact time-discrete mode solution", convergence_h},
      {"convergence_p", "p-refinement (degree 1..6) on a fixed 4 x 4 mesh, same mode",
       "exact time-discrete mode solution", convergence_p},
  };
}

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> all = wave_cases();
    for (auto&& list : {adjoint_cases(), okada_cases(), cycle_cases(), gmpe_cases(), pde_find_cases(), tomography_cases(), picking_cases()})
      all.insert(all.end(), list.begin(), list.end());
    return all;
  }();
  return cases;
}

}  // namespace hyseis::validation
