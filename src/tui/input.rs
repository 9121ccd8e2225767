//! Input: keys and mouse clicks become [`Action`]s for `App::update`. Keys
//! mean different things while a question (save, quit) or the help is open;
//! clicks hit what `layout` says was drawn there.

use super::app::{Action, App, ComponentRow, Tab};
use super::layout;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

impl App {
    pub fn handle_event(&mut self, ev: &Event) {
        match ev {
            Event::Key(k) => self.handle_key(*k),
            Event::Mouse(m) => self.handle_mouse(*m),
            Event::Resize(w, h) => self.set_size(*w, *h),
            _ => {}
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        if let Some(a) = self.action_for_key(key) {
            self.update(a);
        }
    }

    /// Maps a key to an action; `None` for keys that mean nothing here.
    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return match key.code {
                KeyCode::Char('c') => Some(Action::ForceQuit),
                KeyCode::Char('d') => Some(Action::PageDown),
                KeyCode::Char('u') => Some(Action::PageUp),
                _ => None,
            };
        }
        if self.confirm_quit {
            return Some(match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Action::ForceQuit,
                KeyCode::Char('w') => Action::Save,
                _ => Action::CancelQuit,
            });
        }
        if self.confirm_save {
            return Some(match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Action::ConfirmSave,
                _ => Action::CancelSave,
            });
        }
        if self.help {
            // The overlay swallows keys; these close it.
            return match key.code {
                KeyCode::Char('?') | KeyCode::Esc | KeyCode::Char('q') => Some(Action::ToggleHelp),
                _ => None,
            };
        }
        Some(match key.code {
            KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
            KeyCode::Tab | KeyCode::Char('l') | KeyCode::Right => Action::NextTab,
            KeyCode::BackTab | KeyCode::Char('h') | KeyCode::Left => Action::PrevTab,
            KeyCode::Char(c @ '1'..='9') => {
                let i = c as usize - '1' as usize;
                Action::GoTab(*Tab::ALL.get(i)?)
            }
            KeyCode::Char('j') | KeyCode::Down => Action::Down,
            KeyCode::Char('k') | KeyCode::Up => Action::Up,
            KeyCode::PageDown => Action::PageDown,
            KeyCode::PageUp => Action::PageUp,
            KeyCode::Char('g') | KeyCode::Home => Action::Top,
            KeyCode::Char('G') | KeyCode::End => Action::Bottom,
            KeyCode::Char(' ') | KeyCode::Char('f') | KeyCode::Enter => Action::ToggleFail,
            KeyCode::Char('r') => Action::RestoreAll,
            KeyCode::Char('?') => Action::ToggleHelp,
            KeyCode::Char('m') => Action::ToggleMapResolution,
            KeyCode::Char('i') => Action::ToggleMapImportance,
            KeyCode::Char('e') => Action::ToggleEngine,
            KeyCode::Char('s') => Action::StartRun,
            KeyCode::Char('c') => Action::CancelRun,
            KeyCode::Char('n') => Action::NextSeed,
            KeyCode::Char('[') => Action::PrevField,
            KeyCode::Char(']') => Action::NextField,
            KeyCode::Char('+') | KeyCode::Char('=') => Action::Increase,
            KeyCode::Char('-') => Action::Decrease,
            KeyCode::Char('w') => Action::Save,
            _ => return None,
        })
    }

    /// A left click on the tab bar selects that tab; on a row of the
    /// Components list or the Plans table, that row.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        if m.kind != MouseEventKind::Down(MouseButton::Left) || self.help {
            return;
        }
        if m.row == 0 {
            if let Some(tab) = tab_at_column(m.column) {
                self.update(Action::GoTab(tab));
            }
            return;
        }
        let inside = |r: Rect| {
            m.column > r.x && m.column + 1 < r.right() && m.row > r.y && m.row + 1 < r.bottom()
        };
        let body = self.body();
        match self.tab {
            Tab::Components => {
                let [list, _] = layout::components(body);
                if inside(list) {
                    let r = self.comp_offset + usize::from(m.row - list.y - 1);
                    if let Some(ComponentRow::Item(i)) = self.component_rows().get(r) {
                        self.selected_item = *i;
                        self.fix_offsets();
                    }
                }
            }
            Tab::Plans => {
                let [table, _] = layout::plans(body, self.topology.plans.len());
                // The first inner row is the header.
                if inside(table) && m.row > table.y + 1 {
                    let p = self.plan_offset + usize::from(m.row - table.y - 2);
                    if p < self.topology.plans.len() {
                        self.selected_plan = p;
                        self.fix_offsets();
                    }
                }
            }
            Tab::Importance => {
                let [_, table, _] =
                    layout::importance(body, layout::event_width(self.importance.as_ref()));
                let n = self
                    .importance
                    .as_ref()
                    .and_then(|j| j.ranking.as_ref())
                    .map_or(0, Vec::len);
                // The first inner row is the header.
                if inside(table) && m.row > table.y + 1 {
                    let offset = layout::importance_offset(table, self.selected_event);
                    let r = offset + usize::from(m.row - table.y - 2);
                    if r < n {
                        self.selected_event = r;
                    }
                }
            }
            Tab::Map | Tab::Run => {}
        }
    }
}

/// Which tab title covers terminal column `col` of the top row. Mirrors the
/// layout of ratatui's `Tabs` with its defaults (one space of padding on each
/// side of a title, a one-column divider between titles), which the render
/// test `click_on_each_rendered_tab_title_selects_it` pins.
pub fn tab_at_column(col: u16) -> Option<Tab> {
    let mut x = 0u16;
    for tab in Tab::ALL {
        let w = tab.title().chars().count() as u16 + 2;
        if col >= x && col < x + w {
            return Some(tab);
        }
        x += w + 1;
    }
    None
}
