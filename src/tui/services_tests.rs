//! Services in the TUI, driven by keys on `services-topology.toml`: the
//! Services section and its details, "what if dns is down", the dependency
//! chain of a plan that is down, the control plane that blocks a failover,
//! and the importance view showing a shared dependency as the single point
//! of failure of both "redundant" plans. Snapshots at 80x24 and 120x40.

use super::app::{App, Item, Tab};
use super::test_support::{
    ch, run_static, select, small_runs, snapshot, wait_for_importance, wait_for_time_run,
};
use drsim::model::{PlanId, ServiceId, SiteId, Topology, TrainId};
use drsim::service::{Active, FailedSet, ServiceRule};

const FIXTURE: &str = include_str!("services-topology.toml");

fn topology() -> Topology {
    drsim::io::load_str(FIXTURE, std::path::Path::new("services-topology.toml"))
        .unwrap()
        .topology
}

fn app() -> App {
    App::new(topology(), "services-topology.toml")
}

fn service(a: &App, key: &str) -> ServiceId {
    a.topology.service_id(key).unwrap()
}

fn up_plans(a: &App) -> Vec<bool> {
    a.statuses.iter().map(|s| s.is_up()).collect()
}

/// Fails the service `key` the way a user does: select it, press space.
fn fail_service(a: &mut App, key: &str) {
    let s = service(a, key);
    select(a, Item::Service(s));
    ch(a, ' ');
}

/// The Components tab with service `k` selected, rendered at `size`.
fn components_screen(a: &mut App, k: ServiceId, size: (u16, u16)) -> String {
    a.tab = Tab::Components;
    select(a, Item::Service(k));
    format!("{}", snapshot(a, size.0, size.1))
}

/// The rendered `screen` holds `text` (the screen is shown when not).
fn shows(screen: &str, text: &str) {
    assert!(screen.contains(text), "{text:?} not on\n{screen}");
}

#[test]
fn services_are_components_and_failing_dns_takes_both_plans_down_with_the_chain() {
    let mut a = app();
    let n = a.topology.services.len();
    let listed: Vec<_> = a
        .items
        .iter()
        .filter(|i| matches!(i, Item::Service(_)))
        .collect();
    assert_eq!(listed.len(), n, "every service is listed");
    assert_eq!(up_plans(&a), [true, true, true]);
    for (k, st) in a.services.iter().enumerate() {
        assert_eq!(st.working(), st.instances.len(), "service {k} all up");
    }
    fail_service(&mut a, "dns");
    assert!(a.message.contains("failed service dns"), "{}", a.message);
    // The what-if is the library's own reading of `service:dns`.
    let named = FailedSet::from_names(&a.topology, &["service:dns"]).unwrap();
    assert_eq!(a.failed, named);
    assert_eq!(a.item_id(Item::Service(service(&a, "dns"))), "service:dns");
    // Both messaging plans need auth, which needs dns; the plan without
    // services does not notice.
    assert_eq!(up_plans(&a), [false, false, true]);
    let chain = "messaging needs auth needs dns, which is down";
    assert_eq!(a.blames[0].as_deref(), Some(chain));
    assert_eq!(a.blames[1].as_deref(), Some(chain));
    assert_eq!(a.blames[2], None);
    // auth's instances stop, each saying why; storage is untouched.
    let auth = &a.services[service(&a, "auth").index()];
    assert_eq!(auth.working(), 0);
    for i in &auth.instances {
        assert_eq!(i.reason.as_deref(), Some("auth needs dns, which is down"));
    }
    assert!(a.item_down(Item::Service(service(&a, "auth"))));
    assert!(!a.item_down(Item::Service(service(&a, "storage"))));
    // The details say it, and the Plans pane gives the chain.
    let auth = service(&a, "auth");
    let screen = components_screen(&mut a, auth, (120, 40));
    shows(&screen, "DOWN: 0 of 2 instances work (needs 1)");
    shows(&screen, "auth needs dns, which is down");
    ch(&mut a, '3');
    let screen = format!("{}", snapshot(&a, 120, 40));
    assert!(screen.contains(&format!("why: {chain}")), "{screen}");
    // Restoring it brings everything back.
    ch(&mut a, 'r');
    assert_eq!(up_plans(&a), [true, true, true]);
    assert!(a.blames.iter().all(Option::is_none));
}

/// Every instance state the Services section shows is the rule's own: for
/// each plan that serves messaging and every state of up to two failed
/// components (sites, links, services), the instances of the services
/// messaging needs work exactly when `Outcome::working` says so, and a
/// serving site is usable exactly when messaging's instance there works.
#[test]
fn instance_states_agree_with_the_rule_on_every_small_what_if() {
    let t = topology();
    let mut names: Vec<String> = t.sites.iter().map(|s| format!("site:{}", s.key)).collect();
    names.extend(t.links.iter().map(|l| format!("link:{}", l.key)));
    names.extend(t.services.iter().map(|s| format!("service:{}", s.key)));
    let messaging = t.service_id("messaging").unwrap();
    let closure = t.service_closure(messaging);
    let mut states = 0;
    for i in 0..names.len() {
        for j in i..names.len() {
            let f = FailedSet::from_names(&t, &[&names[i], &names[j]]).unwrap();
            let ours = super::services::states(&t, &f);
            for p in [PlanId(0), PlanId(1)] {
                let out = ServiceRule::new(&t, p).evaluate(&f, Active::FirstUsable);
                for &s in &closure {
                    let got: Vec<bool> = ours[s.index()]
                        .instances
                        .iter()
                        .map(|x| x.working)
                        .collect();
                    assert_eq!(got, out.working[s.index()], "{} + {}", names[i], names[j]);
                }
                let front = &ours[messaging.index()];
                for (k, &x) in t.plan(p).serving_sites.iter().enumerate() {
                    let inst = front.instances.iter().find(|y| y.site == x).unwrap();
                    assert_eq!(inst.working, out.usable[k], "{} + {}", names[i], names[j]);
                }
            }
            states += 1;
        }
    }
    assert_eq!(states, names.len() * (names.len() + 1) / 2);
}

#[test]
fn a_failed_site_stops_its_instances_and_the_control_plane_blocks_the_failover() {
    let mut a = app();
    select(&mut a, Item::Site(SiteId(0)));
    ch(&mut a, ' ');
    let dns = &a.services[service(&a, "dns").index()];
    assert_eq!((dns.working(), dns.instances.len()), (2, 3));
    let ash = dns.instances.iter().find(|i| i.site == SiteId(0)).unwrap();
    assert_eq!(ash.reason.as_deref(), Some("its site is down"));
    // Active-active keeps serving from fra; active-passive cannot fail over
    // to fra, because deploy (its control plane) ran on ash alone.
    assert_eq!(up_plans(&a), [true, false, true]);
    assert_eq!(
        a.blames[1].as_deref(),
        Some("cannot fail over to fra: messaging's control plane (deploy) does not reach it")
    );
    // messaging has no sites of its own: its instances are the plans'
    // serving sites.
    let front = &a.services[service(&a, "messaging").index()];
    assert!(front.from_plans);
    assert_eq!(front.instances.len(), 2);
}

#[test]
fn a_release_train_that_pushes_to_dns_takes_dns_down() {
    let mut a = app();
    select(&mut a, Item::Train(TrainId(0)));
    ch(&mut a, ' ');
    let dns = service(&a, "dns");
    assert!(a.failed.service_failed(dns));
    assert_eq!(
        a.failed,
        FailedSet::from_names(&a.topology, &["train:dns-config"]).unwrap()
    );
    assert_eq!(up_plans(&a), [false, false, true]);
    a.tab = Tab::Components;
    select(&mut a, Item::Service(dns));
    assert_eq!(
        super::view::services::state_text(&a, dns),
        "DOWN on every site (bad push of release train dns-config)"
    );
    let screen = format!("{}", snapshot(&a, 120, 40));
    assert!(screen.contains("bad push of release train"), "{screen}");
}

#[test]
fn the_dependency_tree_lists_each_service_once_with_the_control_plane_marked() {
    let t = topology();
    let rows = super::services::tree(&t, t.service_id("messaging").unwrap(), 20);
    let keys: Vec<(usize, &str, bool)> = rows
        .iter()
        .map(|r| (r.depth, t.service(r.service).key.as_str(), r.control))
        .collect();
    assert_eq!(
        keys,
        [
            (1, "auth", false),
            (2, "dns", false),
            (1, "storage", false),
            (1, "deploy", true)
        ]
    );
    // The tree holds exactly the closure.
    let mut seen: Vec<ServiceId> = rows.iter().map(|r| r.service).collect();
    seen.sort_unstable();
    assert_eq!(seen, t.service_closure(t.service_id("messaging").unwrap()));
}

/// A forced service is forced in the static run too: with dns down every
/// sample of a plan that needs it is down, and the plan without services
/// is not affected by it.
#[test]
fn the_static_run_holds_a_failed_service_down() {
    let mut a = app();
    small_runs(&mut a);
    fail_service(&mut a, "dns");
    run_static(&mut a);
    let run = a.run.as_ref().unwrap().latest().copied().unwrap();
    assert_eq!(run.down, run.samples, "every sample is down");
    ch(&mut a, '3');
    ch(&mut a, 'G');
    run_static(&mut a);
    let run = a.run.as_ref().unwrap().latest().copied().unwrap();
    assert!(run.down < run.samples / 10, "{run:?}");
}

/// The shared dependency is a single point of failure of both "redundant"
/// plans, named as the service node it is, with its chain.
#[test]
fn importance_shows_a_shared_dependency_as_a_single_point_of_failure_of_each_plan() {
    let mut a = app();
    ch(&mut a, '5');
    let chain = "messaging needs auth needs dns, which is down";
    for plan in 0..2 {
        a.selected_plan = plan;
        a.tick();
        wait_for_importance(&mut a);
        let job = a.importance.as_ref().unwrap();
        assert_eq!(job.key.plan, PlanId(plan as u32));
        assert_eq!(job.error, None);
        let singles: Vec<&str> = job.singles.iter().map(|c| c.events[0].as_str()).collect();
        for ev in ["service:dns", "service:auth", "release:dns-config"] {
            assert!(singles.contains(&ev), "plan {plan}: {singles:?}");
        }
        assert_eq!(job.chain("service:dns"), Some(chain));
        assert_eq!(job.chain("release:dns-config"), Some(chain));
        assert_eq!(
            job.chain("service:auth"),
            Some("messaging needs auth, which is down")
        );
        assert_eq!(
            job.takes_down("service:dns").services,
            [service(&a, "dns").index()]
        );
        let screen = format!("{}", snapshot(&a, 120, 40));
        assert!(screen.contains(chain), "{screen}");
        assert!(screen.contains("→ service dns"), "{screen}");
    }
    // The plan without services has no service nodes and no chains.
    a.selected_plan = 2;
    a.tick();
    wait_for_importance(&mut a);
    let job = a.importance.as_ref().unwrap();
    assert!(
        job.singles
            .iter()
            .all(|c| !c.events[0].contains("service:"))
    );
    assert!(job.singles.iter().all(|c| c.chain.is_none()));
}

#[test]
fn snapshots_of_the_services_views() {
    let mut a = app();
    select(&mut a, Item::Site(SiteId(0)));
    ch(&mut a, ' ');
    let (dns, auth, messaging) = (
        service(&a, "dns"),
        service(&a, "auth"),
        service(&a, "messaging"),
    );
    for (w, h) in [(80, 24), (120, 40)] {
        a.tab = Tab::Components;
        select(&mut a, Item::Service(messaging));
        insta::assert_snapshot!(format!("services_components_{w}x{h}"), snapshot(&a, w, h));
        a.tab = Tab::Map;
        select(&mut a, Item::Service(dns));
        insta::assert_snapshot!(format!("services_map_{w}x{h}"), snapshot(&a, w, h));
        a.tab = Tab::Plans;
        a.selected_plan = 1;
        insta::assert_snapshot!(format!("services_plans_{w}x{h}"), snapshot(&a, w, h));
    }
    a.tab = Tab::Importance;
    a.selected_plan = 0;
    a.tick();
    wait_for_importance(&mut a);
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("services_importance_{w}x{h}"), snapshot(&a, w, h));
    }
    a.color = false;
    a.tab = Tab::Components;
    select(&mut a, Item::Service(auth));
    insta::assert_snapshot!("services_components_nocolor_80x24", snapshot(&a, 80, 24));
}

/// The October 2021 example as a what-if: the backbone push escapes. Both
/// plans of the messaging front end go down through DNS, and the plan whose
/// DNS sits outside the backbone keeps serving.
#[test]
fn the_backbone_push_takes_messaging_down_through_dns_but_not_the_outside_dns_plan() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/backbone-dependency.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let t = drsim::io::load_str(&text, std::path::Path::new(path))
        .unwrap()
        .topology;
    let train = t
        .release_trains
        .iter()
        .position(|r| r.key == "backbone-config")
        .unwrap();
    let mut a = App::new(t, "backbone-dependency.toml");
    select(&mut a, Item::Train(TrainId(train as u32)));
    ch(&mut a, ' ');
    let t = &a.topology;
    for (p, plan) in t.plans.iter().enumerate() {
        let front = &t.service(plan.serves.unwrap()).key;
        if front == "messaging" {
            assert!(!a.statuses[p].is_up(), "{}", plan.key);
            assert_eq!(
                a.blames[p].as_deref(),
                Some("messaging needs dns needs backbone, which is down"),
                "{}",
                plan.key
            );
        } else {
            assert!(a.statuses[p].is_up(), "{} serves {front}", plan.key);
        }
    }
}

/// Explaining a stopped instance costs a fixed point of the rule, so only
/// the first few per service are traced; the others say so rather than
/// slowing every key down on a large fleet.
#[test]
fn only_the_first_stopped_instances_of_a_service_are_traced() {
    let mut text = String::from("[topology]\nname = \"wide\"\n");
    let n = 10;
    for i in 0..n {
        text += &format!("[[site]]\nid = \"s{i}\"\n");
    }
    let sites: Vec<String> = (0..n).map(|i| format!("\"s{i}\"")).collect();
    let sites = sites.join(", ");
    text += &format!(
        "[[service]]\nid = \"dns\"\nsites = [{sites}]\n\
         [[service]]\nid = \"auth\"\nsites = [{sites}]\nrequires = [{{ service = \"dns\", reach = \"site\" }}]\n"
    );
    let t = drsim::io::load_str(&text, std::path::Path::new("wide.toml"))
        .unwrap()
        .topology;
    let mut a = App::new(t, "wide.toml");
    fail_service(&mut a, "dns");
    let auth = service(&a, "auth");
    let reasons: Vec<Option<&str>> = a.services[auth.index()]
        .instances
        .iter()
        .map(|i| i.reason.as_deref())
        .collect();
    let traced = reasons.iter().filter(|r| r.is_some()).count();
    assert_eq!(traced, 4, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .flatten()
            .all(|r| *r == "auth needs dns, which is down")
    );
    // dns is down as a whole: its instances say so without a trace.
    let dns = &a.services[service(&a, "dns").index()];
    assert!(
        dns.instances
            .iter()
            .all(|i| i.reason.as_deref() == Some("the service is down as a whole"))
    );
    let screen = components_screen(&mut a, auth, (160, 48));
    shows(&screen, "s0, s1, s2, s3: auth needs dns, which is down");
    shows(&screen, "s4, s5, s6, s7, s8, s9: not traced");
}

/// A dependency cycle is legal and shown: each member names it with its
/// cold-start time, and the tree ends where the cycle comes back.
#[test]
fn a_dependency_cycle_is_named_and_its_tree_ends() {
    let text = "[topology]\nname = \"cycle\"\n[[site]]\nid = \"x\"\n\
        [[service]]\nid = \"a\"\nsites = [\"x\"]\nrequires = [\"b\"]\nbootstrap = \"3h\"\n\
        [[service]]\nid = \"b\"\nsites = [\"x\"]\nrequires = [\"a\"]\n";
    let t = drsim::io::load_str(text, std::path::Path::new("cycle.toml"))
        .unwrap()
        .topology;
    let mut a = App::new(t, "cycle.toml");
    let (sa, sb) = (service(&a, "a"), service(&a, "b"));
    assert_eq!(a.cycles, [vec![sa, sb]]);
    let rows = super::services::tree(&a.topology, sa, 20);
    let rows: Vec<(usize, ServiceId, bool)> = rows
        .iter()
        .map(|r| (r.depth, r.service, r.repeat))
        .collect();
    assert_eq!(rows, [(1, sb, false), (2, sa, true)]);
    let screen = components_screen(&mut a, sa, (120, 40));
    shows(&screen, "on a cycle: a, b; cold start 3h");
    shows(&screen, "└ a 1/1 up · needs 1 anywhere · (above)");
}

/// Tiny or odd sizes never panic with a service selected and down, on any
/// tab, with the importance ranking in.
#[test]
fn services_render_at_any_size_without_panicking() {
    let mut a = app();
    fail_service(&mut a, "dns");
    a.tab = Tab::Importance;
    a.tick();
    wait_for_importance(&mut a);
    let messaging = service(&a, "messaging");
    select(&mut a, Item::Service(messaging));
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23), (300, 100)] {
        for tab in Tab::ALL {
            a.tab = tab;
            snapshot(&a, w, h);
        }
    }
}

/// A plan that needs two serving sites is explained by the one that fails,
/// even when the first works.
#[test]
fn a_quorum_lost_at_a_later_serving_site_is_explained_there() {
    let text = FIXTURE
        .replace(
            "id = \"storage\"\nsites = [\"ash\", \"fra\", \"sin\"]",
            "id = \"storage\"\nsites = [\"ash\", \"sin\"]",
        )
        .replacen(
            "quorum = 1\nheadroom = 1.0\nserves",
            "quorum = 2\nheadroom = 1.0\nserves",
            1,
        );
    let t = drsim::io::load_str(&text, std::path::Path::new("quorum.toml"))
        .unwrap()
        .topology;
    assert_eq!(t.plans[0].quorum, 2);
    let a = App::new(t, "quorum.toml");
    assert!(!a.statuses[0].is_up());
    assert_eq!(
        a.blames[0].as_deref(),
        Some("messaging needs storage: too few storage instances are up and reached")
    );
    let front = &a.services[service(&a, "messaging").index()];
    let fra = front
        .instances
        .iter()
        .find(|i| i.site == SiteId(1))
        .unwrap();
    assert!(!fra.working);
    assert_eq!(fra.reason, a.blames[0]);
}

/// The time-based run holds a failed service down too: with dns down all
/// year, messaging is down all year, and the plan without services is not.
#[test]
fn the_time_based_run_holds_a_failed_service_down_all_year() {
    let mut a = app();
    a.time_config = super::timerun_tests::synthetic_config(1);
    fail_service(&mut a, "dns");
    ch(&mut a, 'e');
    ch(&mut a, 's');
    assert!(a.message.contains("--down service:dns"), "{}", a.message);
    wait_for_time_run(&mut a);
    let year = 365.0 * 24.0 * 60.0;
    let r = a.time_run.as_ref().unwrap();
    assert_eq!(r.what_if, ["service:dns"]);
    assert!(!r.years.is_empty());
    let down = r.latest().unwrap().downtime.mean;
    assert!(
        (down - year).abs() < 1e-6 * year,
        "{down} of {year} minutes"
    );
    ch(&mut a, '3');
    ch(&mut a, 'G');
    ch(&mut a, 's');
    wait_for_time_run(&mut a);
    let down = a.time_run.as_ref().unwrap().latest().unwrap().downtime.mean;
    assert!(down < 0.01 * year, "{down}");
}
