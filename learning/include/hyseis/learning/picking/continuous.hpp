#pragma once
// Deep picking of continuous MiniSEED data (what `hyseis pick` runs): segments are grouped by
// station (NET.STA.LOC + band/instrument codes, e.g. "HH"), components Z, N|1, E|2 are aligned
// on the time spans where all present components have data, resampled to the model's rate when
// needed, run through DeepPicker::predict (sliding windows; short spans padded, not dropped)
// and turned into picks. A station with only a Z component is picked with zero horizontals
// (as the 1-C records of the training data). Gaps split a station into separate spans.
#include <vector>

#include "hyseis/core/mseed.hpp"
#include "hyseis/learning/picking/deep.hpp"

namespace hyseis::learning::picking {

struct ContinuousOptions {
  SlidingOptions sliding;
  PeakOptions peaks;
  std::string method = "phasenet";   // written to Pick::method
};

/// Throws core::InvalidInput when the components of one station differ in sampling rate, or a
/// channel code is not of the form XXZ / XXN / XXE / XX1 / XX2.
std::vector<Pick> pick_segments(const DeepPicker& model, const std::vector<core::mseed::Segment>& segments,
                                const ContinuousOptions& options = {});
/// The same with an ensemble (probabilities averaged over its members).
std::vector<Pick> pick_segments(const PickerEnsemble& model, const std::vector<core::mseed::Segment>& segments,
                                const ContinuousOptions& options = {});

}  // namespace hyseis::learning::picking
