//! TUI state and its one `update`: keys and mouse become [`Action`]s (in
//! `input.rs`), and every change of the what-if failures recomputes the
//! derived plan statuses at once, so rendering never computes anything.

use super::edit::{self, Field, Target};
use super::importance::{self as imp, ImportanceJob};
use super::layout;
use super::run::{Run, RunConfig, RunStatus};
use super::services::{self as svc, ServiceState};
use super::timerun::{TimeConfig, TimeRun};
use drsim::model::{LinkId, PlanId, RegionId, ServiceId, SharedRiskId, SiteId, Topology, TrainId};
use drsim::service::{FailedSet, PlanStatus, plan_status};
use ratatui::layout::Rect;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Map,
    Components,
    Plans,
    Run,
    Importance,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Map,
        Tab::Components,
        Tab::Plans,
        Tab::Run,
        Tab::Importance,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Map => "1 Map",
            Tab::Components => "2 Components",
            Tab::Plans => "3 Plans",
            Tab::Run => "4 Run",
            Tab::Importance => "5 Importance",
        }
    }
    pub(super) fn index(self) -> usize {
        Tab::ALL.iter().position(|&t| t == self).unwrap_or(0)
    }
}

/// Which engine `s` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Monte Carlo of a random instant, with the what-if failures forced.
    Static,
    /// Trial-years of the discrete-event simulation.
    TimeBased,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Static => "static",
            Engine::TimeBased => "time-based",
        }
    }
}

/// A row of the Components list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentRow {
    /// The title of the section that `Item`'s kind starts.
    Header(Item),
    /// Index into `App::items`.
    Item(usize),
}

/// A selectable component, in the order the Components list shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    Region(RegionId),
    Site(SiteId),
    Link(LinkId),
    SharedRisk(SharedRiskId),
    Train(TrainId),
    Service(ServiceId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Quit even with unsaved edits (Ctrl-c, or y when asked).
    ForceQuit,
    /// Stay after being asked whether to quit without saving.
    CancelQuit,
    NextTab,
    PrevTab,
    GoTab(Tab),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ToggleFail,
    RestoreAll,
    ToggleHelp,
    ToggleMapResolution,
    /// Map colours: plan state, or the importance ranking's criticality.
    ToggleMapImportance,
    /// Switch the engine `s` runs: static or time-based.
    ToggleEngine,
    /// Monte Carlo of the selected plan under the current what-if.
    StartRun,
    CancelRun,
    /// Next seed, and run again with it.
    NextSeed,
    /// Move the field cursor of the details pane.
    PrevField,
    NextField,
    /// Step the field under the cursor up or down.
    Increase,
    Decrease,
    /// Ask to write the edits to the file; `ConfirmSave` answers yes,
    /// `CancelSave` no.
    Save,
    ConfirmSave,
    CancelSave,
}

/// Rows moved by PageUp/PageDown.
const PAGE: usize = 10;

pub struct App {
    pub topology: Topology,
    /// Where the topology came from, for the title bar.
    pub source: String,
    pub tab: Tab,
    pub items: Vec<Item>,
    pub selected_item: usize,
    pub selected_plan: usize,
    pub help: bool,
    pub quit: bool,
    pub map_high_res: bool,
    /// The map colours sites by criticality (from the Importance tab).
    pub map_importance: bool,
    /// What the user marked failed (a region stays one entry, so restoring it
    /// restores exactly what failing it took).
    pub marked: BTreeSet<Item>,
    /// Derived from `marked`: the failed sites and links.
    pub failed: FailedSet,
    /// Derived: each plan's status under `failed`, in plan order.
    pub statuses: Vec<PlanStatus>,
    /// Derived: up sites that serve a plan which is down.
    pub at_risk: Vec<bool>,
    /// Derived: each service's instances under `failed`, in service order.
    pub services: Vec<ServiceState>,
    /// Derived: why each down plan that serves a service is down (the
    /// dependency chain), in plan order.
    pub blames: Vec<Option<String>>,
    /// The topology's dependency cycles (`Topology::service_cycles`, quadratic
    /// in the services, so kept rather than found on every frame).
    pub cycles: Vec<Vec<ServiceId>>,
    /// One-line feedback for the status bar.
    pub message: String,
    /// Terminal size, for scrolling and mouse hit-testing.
    pub size: (u16, u16),
    /// First visible row of the Components list and the Plans table, kept so
    /// the view scrolls only when the selection would leave it.
    pub comp_offset: usize,
    pub plan_offset: usize,
    pub run: Option<Run>,
    /// The run before the current one, kept to compare against.
    pub previous_run: Option<Run>,
    pub seed: u64,
    pub run_config: RunConfig,
    pub engine: Engine,
    pub time_run: Option<TimeRun>,
    pub previous_time_run: Option<TimeRun>,
    pub time_config: TimeConfig,
    /// The Importance tab's job, for the selected plan; restarted when the
    /// plan, the seed or the model changes while the tab is shown.
    pub importance: Option<ImportanceJob>,
    /// Row of the importance ranking under the cursor.
    pub selected_event: usize,
    /// Bumped by every parameter edit, so derived jobs know they are stale.
    pub generation: u64,
    /// Index into `edit::fields` of the selected site, link or plan.
    pub field: usize,
    /// Every field changed since opening (or the last save).
    pub edits: BTreeSet<(Target, Field)>,
    /// The file and its text when opened, to save into and to notice
    /// changes made behind our back; `None` for the built-in topology and
    /// imported (non-TOML) networks.
    pub file: Option<(PathBuf, String)>,
    /// A save waits for y/n.
    pub confirm_save: bool,
    /// A quit with unsaved edits waits for y (quit) or anything else (stay).
    pub confirm_quit: bool,
    /// Draw colours; off under `NO_COLOR`, where glyphs and reverse video
    /// carry the states alone.
    pub color: bool,
}

impl App {
    pub fn new(topology: Topology, source: impl Into<String>) -> App {
        let t = &topology;
        let mut items = Vec::new();
        items.extend((0..t.regions.len() as u32).map(|i| Item::Region(RegionId(i))));
        items.extend(t.site_ids().map(Item::Site));
        items.extend(t.link_ids().map(Item::Link));
        items.extend((0..t.shared_risks.len() as u32).map(|i| Item::SharedRisk(SharedRiskId(i))));
        items.extend((0..t.release_trains.len() as u32).map(|i| Item::Train(TrainId(i))));
        items.extend((0..t.services.len() as u32).map(|i| Item::Service(ServiceId(i))));
        let failed = FailedSet::none(t);
        let mut app = App {
            source: source.into(),
            tab: Tab::Map,
            items,
            selected_item: 0,
            selected_plan: 0,
            help: false,
            quit: false,
            // The low-resolution coastline is too sparse to read as a map.
            map_high_res: true,
            map_importance: false,
            marked: BTreeSet::new(),
            failed,
            statuses: Vec::new(),
            at_risk: Vec::new(),
            services: Vec::new(),
            blames: Vec::new(),
            cycles: topology.service_cycles(),
            message: "press ? for help".into(),
            size: (80, 24),
            comp_offset: 0,
            plan_offset: 0,
            run: None,
            previous_run: None,
            seed: 1,
            run_config: RunConfig::default(),
            engine: Engine::Static,
            time_run: None,
            previous_time_run: None,
            time_config: TimeConfig::default(),
            importance: None,
            selected_event: 0,
            generation: 0,
            field: 0,
            edits: BTreeSet::new(),
            file: None,
            confirm_save: false,
            confirm_quit: false,
            color: true,
            topology,
        };
        app.recompute();
        app
    }

    /// An app that can save its edits into `path`, whose text was `text`
    /// when `topology` was loaded from it.
    pub fn with_file(topology: Topology, path: PathBuf, text: String) -> App {
        let mut app = App::new(topology, path.display().to_string());
        app.file = Some((path, text));
        app
    }

    pub fn dirty(&self) -> bool {
        !self.edits.is_empty()
    }

    /// What the field cursor edits on this tab: the plan on Plans, the
    /// selected site or link on Map and Components.
    pub fn edit_target(&self) -> Option<Target> {
        match self.tab {
            Tab::Plans => (self.selected_plan < self.topology.plans.len())
                .then_some(Target::Plan(PlanId(self.selected_plan as u32))),
            Tab::Map | Tab::Components => match self.selected()? {
                Item::Site(s) => Some(Target::Site(s)),
                Item::Link(l) => Some(Target::Link(l)),
                _ => None,
            },
            Tab::Run | Tab::Importance => None,
        }
    }

    /// The field under the cursor, if the target has fields.
    pub fn edit_field(&self) -> Option<Field> {
        let fs = edit::editable_fields(&self.topology, self.edit_target()?);
        (!fs.is_empty()).then(|| fs[self.field % fs.len()])
    }

    pub fn selected(&self) -> Option<Item> {
        self.items.get(self.selected_item).copied()
    }

    pub fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.fix_offsets();
    }

    pub(super) fn body(&self) -> Rect {
        let status = super::view::status_line(self).width();
        layout::screen(Rect::new(0, 0, self.size.0, self.size.1), status)[1]
    }

    /// The Components list's rows: a header before each kind, then items.
    pub fn component_rows(&self) -> Vec<ComponentRow> {
        let mut rows = Vec::with_capacity(self.items.len() + 5);
        let mut last = None;
        for (i, item) in self.items.iter().enumerate() {
            let kind = std::mem::discriminant(item);
            if last != Some(kind) {
                last = Some(kind);
                rows.push(ComponentRow::Header(*item));
            }
            rows.push(ComponentRow::Item(i));
        }
        rows
    }

    pub fn selected_component_row(&self) -> Option<usize> {
        self.component_rows()
            .iter()
            .position(|r| *r == ComponentRow::Item(self.selected_item))
    }

    /// Scrolls the list and table just enough to keep the selection visible.
    pub(super) fn fix_offsets(&mut self) {
        let body = self.body();
        let visible = layout::inner_rows(layout::components(body)[0]).max(1);
        let rows = self.component_rows();
        if let Some(row) = self.selected_component_row() {
            // Show a section's title along with its first item.
            let top = match row.checked_sub(1).map(|r| rows[r]) {
                Some(ComponentRow::Header(_)) if visible > 1 => row - 1,
                _ => row,
            };
            self.comp_offset = self
                .comp_offset
                .clamp((row + 1).saturating_sub(visible).min(top), top);
        }
        let visible = layout::inner_rows(layout::plans(body, self.topology.plans.len())[0])
            .saturating_sub(1)
            .max(1);
        let row = self.selected_plan;
        self.plan_offset = self
            .plan_offset
            .clamp((row + 1).saturating_sub(visible), row);
    }

    pub fn update(&mut self, action: Action) {
        let n_tabs = Tab::ALL.len();
        // Any answer closes the question; `Save` then asks its own.
        self.confirm_quit = false;
        match action {
            Action::Quit if self.dirty() => {
                self.confirm_quit = true;
                self.message = format!(
                    "quit without saving {} edited value(s)? y quits, {}any other key stays",
                    self.edits.len(),
                    if self.file.is_some() { "w saves, " } else { "" }
                );
            }
            Action::Quit | Action::ForceQuit => self.quit = true,
            Action::CancelQuit => self.message = "not quitting; the edits are kept".into(),
            Action::NextTab => self.tab = Tab::ALL[(self.tab.index() + 1) % n_tabs],
            Action::PrevTab => self.tab = Tab::ALL[(self.tab.index() + n_tabs - 1) % n_tabs],
            Action::GoTab(t) => self.tab = t,
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(PAGE as isize)),
            Action::PageDown => self.move_by(PAGE as isize),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::ToggleFail => self.toggle_fail(),
            Action::RestoreAll => {
                self.marked.clear();
                self.recompute();
                self.message = "restored everything".into();
            }
            Action::ToggleHelp => self.help = !self.help,
            Action::ToggleMapResolution => self.map_high_res = !self.map_high_res,
            Action::ToggleMapImportance => {
                self.map_importance = !self.map_importance;
                self.message = if !self.map_importance {
                    "map colours: plan state".into()
                } else if self
                    .importance
                    .as_ref()
                    .is_some_and(|j| j.ranking.is_some())
                {
                    "map colours: criticality of the selected plan's importance ranking".into()
                } else {
                    "map colours: criticality, once the Importance tab (5) has computed it".into()
                };
            }
            Action::ToggleEngine => {
                self.engine = match self.engine {
                    Engine::Static => Engine::TimeBased,
                    Engine::TimeBased => Engine::Static,
                };
                self.message = format!("engine: {} (s to run)", self.engine.name());
            }
            Action::StartRun => self.start_run(),
            Action::CancelRun => {
                let mut any = false;
                if let Some(r) = &mut self.run
                    && r.stream.status == RunStatus::Running
                {
                    r.cancel();
                    any = true;
                }
                if let Some(r) = &mut self.time_run
                    && r.stream.status == RunStatus::Running
                {
                    r.cancel();
                    any = true;
                }
                self.message = if any {
                    "run cancelled".into()
                } else {
                    "no run in progress".into()
                };
            }
            Action::NextSeed => {
                self.seed += 1;
                self.start_run();
            }
            Action::PrevField | Action::NextField => self.move_field(action == Action::NextField),
            Action::Increase => self.step_field(true),
            Action::Decrease => self.step_field(false),
            Action::Save => self.ask_save(),
            Action::ConfirmSave => {
                self.confirm_save = false;
                self.save();
            }
            Action::CancelSave => {
                self.confirm_save = false;
                self.message = "save cancelled; nothing written".into();
            }
        }
    }

    fn move_field(&mut self, forward: bool) {
        let Some(target) = self.edit_target() else {
            self.message =
                "select a site or link (Map, Components) or a plan (Plans) to edit".into();
            return;
        };
        let fs = edit::editable_fields(&self.topology, target);
        if fs.is_empty() {
            self.message = nothing_to_edit(&self.topology, target);
            return;
        }
        let n = fs.len();
        let cur = self.field % n;
        self.field = if forward {
            (cur + 1) % n
        } else {
            (cur + n - 1) % n
        };
        let f = fs[self.field];
        self.message = format!(
            "editing {} of {}: + / - to change",
            f.name(),
            edit::target_label(&self.topology, target)
        );
    }

    fn step_field(&mut self, up: bool) {
        if let (Some(target), None) = (self.edit_target(), self.edit_field()) {
            self.message = nothing_to_edit(&self.topology, target);
            return;
        }
        let (Some(target), Some(field)) = (self.edit_target(), self.edit_field()) else {
            self.message =
                "select a site or link (Map, Components) or a plan (Plans) to edit".into();
            return;
        };
        let before = edit::value_text(&self.topology, target, field);
        match edit::step(&self.topology, target, field, up) {
            Ok(t) => {
                self.topology = t;
                self.cycles = self.topology.service_cycles();
                self.generation += 1;
                self.edits.insert((target, field));
                self.recompute();
                let after = edit::value_text(&self.topology, target, field);
                self.message = format!(
                    "{} of {}: {before} -> {after} (unsaved; w to save)",
                    field.name(),
                    edit::target_label(&self.topology, target)
                );
            }
            Err(e) => self.message = e,
        }
    }

    fn ask_save(&mut self) {
        if !self.dirty() {
            self.message = "no edits to save".into();
            return;
        }
        let Some((path, _)) = &self.file else {
            self.message =
                "the built-in topology cannot be saved; use `drsim tui FILE` to edit a TOML file"
                    .into();
            return;
        };
        self.confirm_save = true;
        self.message = format!(
            "write {} edited value(s) to {}? y/n",
            self.edits.len(),
            path.display()
        );
    }

    fn save(&mut self) {
        let Some((path, original)) = &self.file else {
            return;
        };
        match edit::save(path, original, &self.topology, &self.edits) {
            Ok(text) => {
                self.message = format!(
                    "saved {} edited value(s) to {}",
                    self.edits.len(),
                    path.display()
                );
                let path = path.clone();
                self.file = Some((path, text));
                self.edits.clear();
            }
            Err(e) => self.message = e,
        }
    }

    /// The Plans tab moves through plans, Importance through its ranking;
    /// the others through components.
    fn move_by(&mut self, delta: isize) {
        let events = self
            .importance
            .as_ref()
            .map_or(0, |j| j.ranking.as_ref().map_or(0, Vec::len));
        let (cur, len) = match self.tab {
            Tab::Plans => (&mut self.selected_plan, self.topology.plans.len()),
            Tab::Importance => (&mut self.selected_event, events),
            Tab::Map | Tab::Components | Tab::Run => (&mut self.selected_item, self.items.len()),
        };
        if len == 0 {
            return;
        }
        *cur = (*cur as isize)
            .saturating_add(delta)
            .clamp(0, len as isize - 1) as usize;
        self.fix_offsets();
    }

    /// Takes whatever the worker has sent; called on every loop turn.
    pub fn tick(&mut self) {
        if let Some(r) = &mut self.run {
            r.poll();
        }
        if let Some(r) = &mut self.time_run {
            r.poll();
        }
        if self.tab == Tab::Importance || self.map_importance {
            self.refresh_importance();
        }
        if let Some(j) = &mut self.importance {
            j.poll();
        }
    }

    /// What the Importance tab should show now: the selected plan under the
    /// current model and seed.
    pub fn importance_key(&self) -> Option<imp::Key> {
        (self.selected_plan < self.topology.plans.len()).then_some(imp::Key {
            plan: PlanId(self.selected_plan as u32),
            seed: self.seed,
            generation: self.generation,
        })
    }

    /// Starts the importance job if there is none for the current key, once
    /// an outdated one has finished.
    pub fn refresh_importance(&mut self) {
        let Some(key) = self.importance_key() else {
            self.importance = None;
            return;
        };
        if self.importance.as_ref().is_some_and(|j| j.key == key) {
            return;
        }
        // The ranking cannot be interrupted; one job at a time keeps the
        // cores free when the user steps through plans or edits quickly.
        if self.importance.as_ref().is_some_and(|j| !j.worker_done) {
            return;
        }
        self.importance = Some(ImportanceJob::start(&self.topology, key));
        self.selected_event = 0;
    }

    fn start_run(&mut self) {
        let Some(plan) = self.topology.plans.get(self.selected_plan) else {
            self.message = "the topology has no plans to run".into();
            return;
        };
        self.message = format!(
            "started a {} run of plan {} with seed {}",
            self.engine.name(),
            plan.key,
            self.seed
        );
        self.tab = Tab::Run;
        let plan_id = PlanId(self.selected_plan as u32);
        let what_if: Vec<String> = self.marked.iter().map(|&i| self.item_id(i)).collect();
        // The replaced run is cancelled if still going and kept for
        // comparison; the one before it is dropped.
        if self.engine == Engine::TimeBased {
            if !what_if.is_empty() {
                self.message.push_str(&format!(
                    ", {} held down all year (drsim run --down {})",
                    what_if.join(", "),
                    what_if.join(" --down ")
                ));
            }
            if let Some(mut old) = self.time_run.take() {
                old.cancel();
                self.previous_time_run = Some(old);
            }
            self.time_run = Some(TimeRun::start(
                &self.topology,
                plan_id,
                self.seed,
                self.time_config,
                &self.failed,
                what_if,
            ));
            return;
        }
        if let Some(mut old) = self.run.take() {
            old.cancel();
            self.previous_run = Some(old);
        }
        if !what_if.is_empty() {
            self.message.push_str(&format!(
                ", {} held down (drsim reliability --service --method crude --down {})",
                what_if.join(", "),
                what_if.join(" --down ")
            ));
        }
        self.run = Some(Run::start(
            &self.topology,
            plan_id,
            &self.failed,
            what_if,
            self.seed,
            self.run_config,
        ));
    }

    fn toggle_fail(&mut self) {
        if matches!(self.tab, Tab::Plans | Tab::Run | Tab::Importance) {
            self.message = "select a component on the Map or Components tab to fail it".into();
            return;
        }
        let Some(item) = self.selected() else { return };
        let name = self.item_label(item);
        if self.marked.remove(&item) {
            self.message = format!("restored {name}");
        } else {
            self.marked.insert(item);
            self.message = format!("failed {name}");
        }
        self.recompute();
    }

    /// Rebuilds everything derived from `marked`.
    fn recompute(&mut self) {
        let t = &self.topology;
        let mut f = FailedSet::none(t);
        for &item in &self.marked {
            match item {
                Item::Region(r) => f.fail_region(t, r),
                Item::Site(s) => f.fail_site(s),
                Item::Link(l) => f.fail_link(l),
                Item::SharedRisk(g) => f.fail_shared_risk(t, g),
                // A bad release that escapes takes every site of its train
                // and every service it pushes to.
                Item::Train(tr) => {
                    let train = &t.release_trains[tr.index()];
                    train.sites.iter().for_each(|&s| f.fail_site(s));
                    train.services.iter().for_each(|&s| f.fail_service(s));
                }
                Item::Service(s) => f.fail_service(s),
            }
        }
        self.statuses = (0..t.plans.len() as u32)
            .map(|p| plan_status(t, PlanId(p), &f))
            .collect();
        let mut at_risk = vec![false; t.sites.len()];
        for (p, st) in t.plans.iter().zip(&self.statuses) {
            if !st.is_up() {
                for &s in &p.serving_sites {
                    at_risk[s.index()] |= !f.site_failed(s);
                }
            }
        }
        self.at_risk = at_risk;
        self.services = svc::states(t, &f);
        let up: Vec<bool> = self.statuses.iter().map(|s| s.is_up()).collect();
        self.blames = svc::plan_blames(t, &f, &up);
        self.failed = f;
    }

    /// The id the file gives the item.
    fn item_key(&self, item: Item) -> &str {
        let t = &self.topology;
        match item {
            Item::Region(r) => &t.regions[r.index()].key,
            Item::Site(s) => &t.site(s).key,
            Item::Link(l) => &t.link(l).key,
            Item::SharedRisk(g) => &t.shared_risks[g.index()].key,
            Item::Train(tr) => &t.release_trains[tr.index()].key,
            Item::Service(s) => &t.service(s).key,
        }
    }

    /// Kind and key of an item, e.g. "site sjc".
    pub fn item_label(&self, item: Item) -> String {
        let key = self.item_key(item);
        let kind = match item {
            Item::Region(_) => "region",
            Item::Site(s) => {
                // An imported network's numbered PoP also by its name.
                let label = super::view::format::site_label(self.topology.site(s));
                if label != key {
                    return format!("site {key} ({label})");
                }
                "site"
            }
            Item::Link(_) => "link",
            Item::SharedRisk(_) => "shared risk",
            Item::Train(_) => "release train",
            Item::Service(_) => "service",
        };
        format!("{kind} {key}")
    }

    /// The item as `drsim run --down` and `FailedSet::fail_named` name it:
    /// `site:iad`, `region:europe`, `risk:atlantic-cable`, `train:backend`,
    /// `service:dns`.
    pub fn item_id(&self, item: Item) -> String {
        let kind = match item {
            Item::Region(_) => "region",
            Item::Site(_) => "site",
            Item::Link(_) => "link",
            Item::SharedRisk(_) => "risk",
            Item::Train(_) => "train",
            Item::Service(_) => "service",
        };
        format!("{kind}:{}", self.item_key(item))
    }

    /// Whether the item is down under the current what-if, directly or
    /// through a region, group or train that contains it; a service, when
    /// fewer of its instances work than its dependents need.
    pub fn item_down(&self, item: Item) -> bool {
        let t = &self.topology;
        match item {
            Item::Site(s) => self.failed.site_failed(s),
            Item::Link(l) => !self.failed.link_usable(t, l),
            Item::Service(s) => {
                self.failed.service_failed(s) || self.services[s.index()].down(t.service(s).needs)
            }
            other => self.marked.contains(&other),
        }
    }
}

fn nothing_to_edit(t: &Topology, target: Target) -> String {
    format!(
        "{} has nothing to edit: it never fails and its capacity is unlimited",
        edit::target_label(t, target)
    )
}
