//! Shards of a simulation merge into exactly the unsharded run.

use crate::common::model::trials_years_seed;
use drsim::shard::Shard;
use drsim::simulate::{
    MergeError, RunData, SimConfig, TrialMetric, batch_trials, run_plan, run_plan_data,
};
use std::path::Path;

fn small_company() -> drsim::model::Topology {
    drsim::io::load_path(Path::new("topologies/small-company.toml")).unwrap()
}

#[test]
fn merged_shards_equal_the_unsharded_run_bit_for_bit() {
    let t = small_company();
    // 1000 trials = 16 batches of 64, the last one partial.
    let cfg = trials_years_seed(1000, 1, 7);
    for plan in 0..t.plans.len() {
        let whole = run_plan(&t, plan, &cfg, &|_| {}).unwrap();
        for n in [1u32, 2, 7] {
            // Each part goes through JSON, as it does between machines, and
            // the parts arrive in reverse order.
            let parts: Vec<RunData> = (0..n)
                .rev()
                .map(|i| {
                    let d =
                        run_plan_data(&t, plan, &cfg, Shard::new(i, n).unwrap(), &|_| {}).unwrap();
                    serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap()
                })
                .collect();
            let merged = RunData::merge(parts).unwrap();
            assert!(merged.is_complete());
            assert_eq!(merged.report(&t).unwrap(), whole, "plan {plan}, {n} shards");
        }
    }
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_parts() {
    let t = small_company();
    let cfg = trials_years_seed(640, 1, 3);
    let part = |i, n, cfg: &SimConfig| {
        run_plan_data(&t, 0, cfg, Shard::new(i, n).unwrap(), &|_| {}).unwrap()
    };
    let (a, b, c) = (part(0, 3, &cfg), part(1, 3, &cfg), part(2, 3, &cfg));
    // 640 trials make 20 batches of 32: the middle third is 6..13.
    let batches = 640usize.div_ceil(batch_trials(640));
    let middle = Shard::new(1, 3).unwrap().batches(batches);
    assert_eq!((batches, middle.clone()), (20, 6..13));
    assert_eq!(
        RunData::merge(vec![a.clone(), c.clone()]),
        Err(MergeError::Gap {
            start: middle.start,
            end: middle.end
        })
    );
    // Adjacent parts merge into a part that is still incomplete.
    let first_two = RunData::merge(vec![b.clone(), a.clone()]).unwrap();
    assert!(!first_two.is_complete());
    assert_eq!(first_two.batch_range(), 0..middle.end);
    assert!(matches!(
        RunData::merge(vec![a.clone(), c.clone(), b.clone(), c.clone()]),
        Err(MergeError::Overlap { .. })
    ));
    assert!(matches!(
        first_two.report(&t),
        Err(MergeError::Incomplete { .. })
    ));
    let other_seed = part(1, 3, &SimConfig { seed: 4, ..cfg });
    assert!(matches!(
        RunData::merge(vec![a.clone(), other_seed, c.clone()]),
        Err(MergeError::Mismatch { what: "seed", .. })
    ));
    // A complete run reported against an edited topology is refused.
    let whole = RunData::merge(vec![a, b, c]).unwrap();
    let mut parts = t.clone().into_parts();
    parts.plans[0].cost_per_year += 1.0;
    let edited = drsim::model::Topology::from_parts(parts).unwrap();
    assert!(matches!(
        whole.report(&edited),
        Err(MergeError::WrongTopology { .. })
    ));
    assert_eq!(whole.per_trial(TrialMetric::DowntimeSecs).len(), 640);
}
