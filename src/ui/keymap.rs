//! One source for every key binding.
//!
//! The footer hints, the help overlay and the command palette are all generated from
//! [`Keymap`], so what they show can never drift from what the keys do (gitui's idea).
//!
//! A binding ties an [`Action`] to one or more [`Key`]s inside a [`Context`]. The app asks
//! [`Keymap::resolve`] with the contexts that are live right now (most specific first, then
//! [`Context::Global`]); the first context that binds the key wins.
//!
//! Ctrl+H is never bound: input methods (Unikey, EVKey) send byte 0x08 for backspace, which
//! crossterm reports as Ctrl+H. Config overrides that try to bind it are refused.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::words::{trf, Lang};

/// Everything a key can ask the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    /// Ctrl+C: leave from anywhere (still asks when there are unsaved changes).
    Exit,
    Back,
    Help,
    Palette,
    Redraw,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Search,
    Open,
    New,
    Edit,
    Archive,
    Save,
    NextField,
    PrevField,
    Yes,
    No,
    /// `c`: log a consultation with the facility.
    LogConsultation,
    /// `f` on a facility: flag it as a candidate for support (a proposal form).
    Flag,
    // The facility list.
    Filter,
    Sort,
    /// Bring an archived record back.
    Restore,
    /// The facility list: also show the facilities outside the user's own area (read-only),
    /// or go back to the own area.
    OtherAreas,
    /// Detail panes: next, previous, or straight to one.
    NextPane,
    PrevPane,
    Pane1,
    Pane2,
    Pane3,
    Pane4,
    /// Open the follow-up agenda (from anywhere).
    Agenda,
    /// Open the needs view (from anywhere).
    Needs,
    /// Agenda: mark the selected follow-up done, with a note.
    FollowUpDone,
    /// Agenda: move the selected follow-up to another date.
    Reschedule,
    /// Agenda: record the consultation the selected follow-up led to.
    LogVisit,
    /// Open the proposals screen (from anywhere).
    Proposals,
    /// Proposal: the commune proposes its draft.
    Propose,
    /// Proposal: the area officer reviews it (with a comment).
    Review,
    /// Proposal: the area officer returns it to the commune (with a reason).
    ReturnProposal,
    /// Proposal: withdraw it (with a reason).
    Withdraw,
    /// Proposal: the province approves it (support, decision, date, funding, batch).
    Approve,
    /// Proposal: the province refuses it (with a reason).
    Refuse,
    /// Đề án: the province starts it (date, implementing unit, planned end).
    StartProject,
    /// Đề án: the province stops it (with a reason).
    StopProject,
    /// Open the snapshots screen: backup and restore (from anywhere).
    Snapshots,
    /// A shared server's accounts (the administrator's view).
    Accounts,
    /// Snapshots: take a manual snapshot now.
    BackupNow,
    /// Snapshots: restore the selected snapshot.
    RestoreSnapshot,
    /// Open the bundles screen: import, conflicts, duplicates (from anywhere).
    Bundles,
    /// Open the craft-village register (F12, from anywhere).
    Villages,
    /// Bundles: resolve the conflict with the chosen sides.
    ResolveConflict,
    /// Bundles: merge the selected duplicate pair (B into A).
    MergeDuplicate,
    /// Bundles: keep the selected pair apart.
    KeepApart,
    /// Write the bundle for the province (what changed since the last one), from anywhere.
    Export,
    /// F5: filter đề án by stage (draft … under way, overdue, awaiting acceptance …).
    StageFilter,
    /// F5: filter đề án by batch (đợt).
    BatchFilter,
    /// F10: activities with attendees (training, workshops, fairs …), from anywhere.
    Activities,
    /// Open the report screen (F11, from anywhere).
    Report,
    /// Open the dashboard: this year's targets against what is achieved.
    Dashboard,
    /// Report: choose the period (dashboard: the year).
    ReportPeriod,
    /// Report: narrow the scope (a commune, an area).
    ReportScope,
    /// Report: write the workbook (xlsx).
    ReportExport,
    /// Dashboard: the province sets a target of the year.
    SetTarget,
    /// Open the annual plan (`K` from anywhere, the palette).
    Plan,
    /// Plan: the year before / after.
    PrevYear,
    NextYear,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Exit,
        Action::Back,
        Action::Help,
        Action::Palette,
        Action::Redraw,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Home,
        Action::End,
        Action::Search,
        Action::Open,
        Action::New,
        Action::Edit,
        Action::Archive,
        Action::Save,
        Action::NextField,
        Action::PrevField,
        Action::Yes,
        Action::No,
        Action::LogConsultation,
        Action::Flag,
        Action::Filter,
        Action::Sort,
        Action::Restore,
        Action::OtherAreas,
        Action::NextPane,
        Action::PrevPane,
        Action::Pane1,
        Action::Pane2,
        Action::Pane3,
        Action::Pane4,
        Action::Agenda,
        Action::Needs,
        Action::FollowUpDone,
        Action::Reschedule,
        Action::LogVisit,
        Action::Proposals,
        Action::Propose,
        Action::Review,
        Action::ReturnProposal,
        Action::Withdraw,
        Action::Approve,
        Action::Refuse,
        Action::StartProject,
        Action::StopProject,
        Action::Snapshots,
        Action::Accounts,
        Action::BackupNow,
        Action::RestoreSnapshot,
        Action::Bundles,
        Action::Villages,
        Action::ResolveConflict,
        Action::MergeDuplicate,
        Action::KeepApart,
        Action::Export,
        Action::StageFilter,
        Action::BatchFilter,
        Action::Activities,
        Action::Report,
        Action::Dashboard,
        Action::ReportPeriod,
        Action::ReportScope,
        Action::ReportExport,
        Action::SetTarget,
        Action::Plan,
        Action::PrevYear,
        Action::NextYear,
    ];

    /// The stable name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Exit => "exit",
            Action::Back => "back",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Redraw => "redraw",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Home => "home",
            Action::End => "end",
            Action::Search => "search",
            Action::Open => "open",
            Action::New => "new",
            Action::Edit => "edit",
            Action::Archive => "archive",
            Action::Save => "save",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Yes => "yes",
            Action::No => "no",
            Action::LogConsultation => "log_consultation",
            Action::Flag => "flag",
            Action::Filter => "filter",
            Action::Sort => "sort",
            Action::Restore => "restore",
            Action::OtherAreas => "other_areas",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Pane1 => "pane_1",
            Action::Pane2 => "pane_2",
            Action::Pane3 => "pane_3",
            Action::Pane4 => "pane_4",
            Action::Agenda => "agenda",
            Action::Needs => "needs",
            Action::FollowUpDone => "follow_up_done",
            Action::Reschedule => "reschedule",
            Action::LogVisit => "log_visit",
            Action::Proposals => "proposals",
            Action::Propose => "propose",
            Action::Review => "review",
            Action::ReturnProposal => "return_proposal",
            Action::Withdraw => "withdraw",
            Action::Approve => "approve",
            Action::Refuse => "refuse",
            Action::StartProject => "start_project",
            Action::StopProject => "stop_project",
            Action::Snapshots => "snapshots",
            Action::Accounts => "accounts",
            Action::BackupNow => "backup_now",
            Action::RestoreSnapshot => "restore_snapshot",
            Action::Bundles => "bundles",
            Action::Villages => "villages",
            Action::ResolveConflict => "resolve_conflict",
            Action::MergeDuplicate => "merge_duplicate",
            Action::KeepApart => "keep_apart",
            Action::Export => "export",
            Action::StageFilter => "stage_filter",
            Action::BatchFilter => "batch_filter",
            Action::Activities => "activities",
            Action::Report => "report",
            Action::Dashboard => "dashboard",
            Action::ReportPeriod => "report_period",
            Action::ReportScope => "report_scope",
            Action::ReportExport => "report_export",
            Action::SetTarget => "set_target",
            Action::Plan => "plan",
            Action::PrevYear => "prev_year",
            Action::NextYear => "next_year",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// i18n key of the action's general label (palette, help).
    pub fn label_key(self) -> &'static str {
        match self {
            Action::Quit => "ui.action.quit",
            Action::Exit => "ui.action.exit",
            Action::Back => "ui.action.back",
            Action::Help => "ui.action.help",
            Action::Palette => "ui.action.palette",
            Action::Redraw => "ui.action.redraw",
            Action::Up => "ui.action.up",
            Action::Down => "ui.action.down",
            Action::PageUp => "ui.action.page_up",
            Action::PageDown => "ui.action.page_down",
            Action::Home => "ui.action.home",
            Action::End => "ui.action.end",
            Action::Search => "ui.action.search",
            Action::Open => "ui.action.open",
            Action::New => "ui.action.new",
            Action::Edit => "ui.action.edit",
            Action::Archive => "ui.action.archive",
            Action::Save => "ui.action.save",
            Action::NextField => "ui.action.next_field",
            Action::PrevField => "ui.action.prev_field",
            Action::Yes => "ui.action.yes",
            Action::No => "ui.action.no",
            Action::LogConsultation => "ui.action.log_consultation",
            Action::Flag => "ui.action.flag",
            Action::Filter => "ui.action.filter",
            Action::Sort => "ui.action.sort",
            Action::Restore => "ui.action.restore",
            Action::OtherAreas => "ui.action.other_areas",
            Action::NextPane => "ui.action.next_pane",
            Action::PrevPane => "ui.action.prev_pane",
            Action::Pane1 => "ui.action.pane_1",
            Action::Pane2 => "ui.action.pane_2",
            Action::Pane3 => "ui.action.pane_3",
            Action::Pane4 => "ui.action.pane_4",
            Action::Agenda => "ui.action.agenda",
            Action::Needs => "ui.action.needs",
            Action::FollowUpDone => "ui.action.follow_up_done",
            Action::Reschedule => "ui.action.reschedule",
            Action::LogVisit => "ui.action.log_visit",
            Action::Proposals => "ui.action.proposals",
            Action::Propose => "ui.action.propose",
            Action::Review => "ui.action.review",
            Action::ReturnProposal => "ui.action.return_proposal",
            Action::Withdraw => "ui.action.withdraw",
            Action::Approve => "ui.action.approve",
            Action::Refuse => "ui.action.refuse",
            Action::StartProject => "ui.action.start_project",
            Action::StopProject => "ui.action.stop_project",
            Action::Snapshots => "ui.action.snapshots",
            Action::Accounts => "ui.action.accounts",
            Action::BackupNow => "ui.action.backup_now",
            Action::RestoreSnapshot => "ui.action.restore_snapshot",
            Action::Bundles => "ui.action.bundles",
            Action::Villages => "ui.action.villages",
            Action::ResolveConflict => "ui.action.resolve_conflict",
            Action::MergeDuplicate => "ui.action.merge_duplicate",
            Action::KeepApart => "ui.action.keep_apart",
            Action::Export => "ui.action.export",
            Action::StageFilter => "ui.action.stage_filter",
            Action::BatchFilter => "ui.action.batch_filter",
            Action::Activities => "ui.action.activities",
            Action::Report => "ui.action.report",
            Action::Dashboard => "ui.action.dashboard",
            Action::ReportPeriod => "ui.action.report_period",
            Action::ReportScope => "ui.action.report_scope",
            Action::ReportExport => "ui.action.report_export",
            Action::SetTarget => "ui.action.set_target",
            Action::Plan => "ui.action.plan",
            Action::PrevYear => "ui.action.prev_year",
            Action::NextYear => "ui.action.next_year",
        }
    }

    /// The actions that open a whole view from anywhere (F3…F7 and the palette): the one list
    /// the app, the footer and the screen registry go by. From one view another replaces it.
    pub const VIEWS: &'static [Action] = &[
        Action::Agenda,
        Action::Needs,
        Action::Proposals,
        Action::Snapshots,
        Action::Accounts,
        Action::Bundles,
        Action::Activities,
        Action::Villages,
        Action::Report,
        Action::Dashboard,
        Action::Plan,
    ];

    /// Whether this action opens a view (see [`Action::VIEWS`]).
    pub fn opens_view(self) -> bool {
        Action::VIEWS.contains(&self)
    }

    /// Whether it moves the selection or scrolls (Up, Down, PageUp, PageDown, Home, End).
    pub fn is_move(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End
        )
    }

    /// Whether the command palette offers it (movement and dialog keys would only be noise).
    pub fn in_palette(self) -> bool {
        !self.is_move()
            && !matches!(
                self,
                Action::NextField
                    | Action::PrevField
                    | Action::Yes
                    | Action::No
                    | Action::Palette
                    | Action::Exit
                    | Action::NextPane
                    | Action::PrevPane
            )
    }
}

/// Where a binding applies. The app lists the live contexts, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere (below any modal dialog).
    Global,
    /// Only at the top level: the first screen with no overlay open.
    TopLevel,
    List,
    /// A list while its search field has focus: printable keys type the query.
    Search,
    Detail,
    /// A screen whose focus is a text field: printable keys type text.
    Form,
    /// The fuzzy picker popup (also text entry).
    Picker,
    /// The command palette (also text entry).
    Palette,
    HelpOverlay,
    Confirm,
    /// The follow-up agenda (above [`Context::List`], which moves and opens).
    Agenda,
    /// One proposal (above [`Context::Detail`], which scrolls and edits).
    Proposal,
    /// The snapshots screen (above [`Context::List`], which moves; Enter restores).
    Snapshots,
    /// The bundles screen (above [`Context::List`], which moves; Enter opens or imports).
    Bundles,
    /// The report and the dashboard (above [`Context::List`], which scrolls).
    Report,
    /// The annual plan (above [`Context::List`], which scrolls): its year.
    Plan,
}

impl Context {
    /// Order of the sections in the help overlay.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::TopLevel,
        Context::List,
        Context::Search,
        Context::Detail,
        Context::Agenda,
        Context::Proposal,
        Context::Snapshots,
        Context::Bundles,
        Context::Report,
        Context::Plan,
        Context::Form,
        Context::Picker,
        Context::Palette,
        Context::HelpOverlay,
        Context::Confirm,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            Context::Global => "ui.context.global",
            Context::TopLevel => "ui.context.top_level",
            Context::List => "ui.context.list",
            Context::Search => "ui.context.search",
            Context::Detail => "ui.context.detail",
            Context::Form => "ui.context.form",
            Context::Picker => "ui.context.picker",
            Context::Palette => "ui.context.palette",
            Context::HelpOverlay => "ui.context.help",
            Context::Confirm => "ui.context.confirm",
            Context::Agenda => "ui.context.agenda",
            Context::Proposal => "ui.context.proposal",
            Context::Snapshots => "ui.context.snapshots",
            Context::Bundles => "ui.context.bundles",
            Context::Report => "ui.context.report",
            Context::Plan => "ui.context.plan",
        }
    }

    /// Contexts where printable keys type text instead of running commands.
    pub fn is_text_entry(self) -> bool {
        matches!(
            self,
            Context::Form | Context::Search | Context::Picker | Context::Palette
        )
    }
}

/// A key with its modifiers, normalised so that what the terminal reports and what the config
/// says compare equal (Shift is folded into the character, Ctrl+letter is lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        Key { code, mods }
    }

    pub const fn plain(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Normalise a key as the terminal reported it.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let mut code = ev.code;
        match code {
            // '?' arrives with or without SHIFT depending on the terminal; the char says it all.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) && c.is_ascii_uppercase() {
                    code = KeyCode::Char(c.to_ascii_lowercase());
                }
            }
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        Key { code, mods }
    }

    /// The key a text field would take as typed text (so it must not run a command there).
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    /// Ctrl+H, i.e. byte 0x08: an input method's backspace.
    pub fn is_ctrl_h(&self) -> bool {
        self.code == KeyCode::Char('h') && self.mods.contains(KeyModifiers::CONTROL)
    }

    /// Parse "q", "?", "ctrl+p", "F1", "esc", "pgdn", "shift+tab"… (case-insensitive names).
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        // A lone "+" or "-" is a key, not a separator.
        while let Some(pos) = rest.find(['+', '-']) {
            if pos == 0 || pos + 1 == rest.len() {
                break;
            }
            match rest[..pos].to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => mods |= KeyModifiers::CONTROL,
                "alt" | "meta" | "m" => mods |= KeyModifiers::ALT,
                "shift" | "s" => mods |= KeyModifiers::SHIFT,
                _ => return None,
            }
            rest = &rest[pos + 1..];
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" => {
                if mods.contains(KeyModifiers::SHIFT) {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::BackTab
                } else {
                    KeyCode::Tab
                }
            }
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "del" | "delete" => KeyCode::Delete,
            "ins" | "insert" => KeyCode::Insert,
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => {
                        let n = lower.strip_prefix('f')?.parse::<u8>().ok()?;
                        if (1..=12).contains(&n) {
                            KeyCode::F(n)
                        } else {
                            return None;
                        }
                    }
                }
            }
        };
        Some(Key::from_event(&KeyEvent::new(code, mods)))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding: in `context`, any of `keys` runs `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub context: Context,
    pub keys: Vec<Key>,
    /// i18n key of the label shown for this binding (may differ by context: Esc "back"/"close").
    pub label: &'static str,
    /// Shown in the footer (the help overlay shows every binding).
    pub footer: bool,
}

/// The default bindings, in the order the footer and help list them.
fn defaults() -> Vec<Binding> {
    use Action as A;
    use Context as C;
    let up = [Key::plain(KeyCode::Up), Key::ch('k')];
    let down = [Key::plain(KeyCode::Down), Key::ch('j')];
    let arrows_up = [Key::plain(KeyCode::Up)];
    let arrows_down = [Key::plain(KeyCode::Down)];
    let pgup = [Key::plain(KeyCode::PageUp)];
    let pgdn = [Key::plain(KeyCode::PageDown)];
    let home = [Key::plain(KeyCode::Home), Key::ch('g')];
    let end = [Key::plain(KeyCode::End), Key::ch('G')];
    let esc = [Key::plain(KeyCode::Esc)];
    let enter = [Key::plain(KeyCode::Enter)];

    // A binding with its own label (the context words it differently: Esc "back"/"close")…
    let bl = |action: Action, context: Context, keys: &[Key], label: &'static str, footer: bool| {
        Binding {
            action,
            context,
            keys: keys.to_vec(),
            label,
            footer,
        }
    };
    // …and, mostly, one with the action's own label.
    let b = |action: Action, context: Context, keys: &[Key], footer: bool| {
        bl(action, context, keys, action.label_key(), footer)
    };
    vec![
        // Help first: it must survive footer truncation.
        b(
            A::Help,
            C::Global,
            &[Key::plain(KeyCode::F(1)), Key::ch('?')],
            true,
        ),
        b(A::Palette, C::Global, &[Key::ch(':'), Key::ctrl('p')], true),
        b(A::Redraw, C::Global, &[Key::ctrl('l')], false),
        b(A::Exit, C::Global, &[Key::ctrl('c')], false),
        b(A::Back, C::Global, &esc, true),
        b(A::Quit, C::TopLevel, &[Key::ch('q')], true),
        // Follow-up agenda and needs view, from anywhere (F-keys: never typed text).
        b(A::Agenda, C::Global, &[Key::plain(KeyCode::F(3))], false),
        b(A::Needs, C::Global, &[Key::plain(KeyCode::F(4))], false),
        b(A::Proposals, C::Global, &[Key::plain(KeyCode::F(5))], false),
        b(A::Snapshots, C::Global, &[Key::plain(KeyCode::F(6))], false),
        b(A::Bundles, C::Global, &[Key::plain(KeyCode::F(7))], false),
        b(A::Export, C::Global, &[Key::plain(KeyCode::F(8))], false),
        b(A::Accounts, C::Global, &[Key::plain(KeyCode::F(9))], false),
        b(
            A::Activities,
            C::Global,
            &[Key::plain(KeyCode::F(10))],
            false,
        ),
        b(A::Report, C::Global, &[Key::plain(KeyCode::F(11))], false),
        b(A::Villages, C::Global, &[Key::plain(KeyCode::F(12))], false),
        // The annual plan from anywhere (`K`: «Kế hoạch»; lower-case k moves up in lists),
        // and its year.
        b(A::Plan, C::Global, &[Key::ch('K')], false),
        b(A::PrevYear, C::Plan, &[Key::plain(KeyCode::Left)], true),
        b(A::NextYear, C::Plan, &[Key::plain(KeyCode::Right)], true),
        // Report and dashboard: period, scope, workbook; one to the other.
        b(A::ReportPeriod, C::Report, &[Key::ch('p')], true),
        b(A::ReportScope, C::Report, &[Key::ch('s')], true),
        b(A::ReportExport, C::Report, &[Key::ch('x')], true),
        b(A::Dashboard, C::Report, &[Key::ch('d')], true),
        b(A::SetTarget, C::Report, &[Key::ch('t')], true),
        // Bundles: panes, resolve a conflict, merge or keep apart a duplicate pair.
        b(A::NextPane, C::Bundles, &[Key::plain(KeyCode::Tab)], true),
        bl(
            A::Pane1,
            C::Bundles,
            &[Key::ch('1')],
            "ui.action.bundles_import",
            false,
        ),
        bl(
            A::Pane2,
            C::Bundles,
            &[Key::ch('2')],
            "ui.action.bundles_conflicts",
            false,
        ),
        bl(
            A::Pane3,
            C::Bundles,
            &[Key::ch('3')],
            "ui.action.bundles_duplicates",
            false,
        ),
        b(A::ResolveConflict, C::Bundles, &[Key::ch('s')], true),
        b(A::MergeDuplicate, C::Bundles, &[Key::ch('m')], true),
        b(A::KeepApart, C::Bundles, &[Key::ch('k')], true),
        // Snapshots: back up now; Enter (or `r`) restores the selected one.
        b(A::BackupNow, C::Snapshots, &[Key::ch('b')], true),
        b(
            A::RestoreSnapshot,
            C::Snapshots,
            &[Key::plain(KeyCode::Enter), Key::ch('r')],
            true,
        ),
        // One proposal: the workflow moves (the screen offers those the role may make).
        b(A::Propose, C::Proposal, &[Key::ch('p')], true),
        b(A::Review, C::Proposal, &[Key::ch('r')], true),
        b(A::ReturnProposal, C::Proposal, &[Key::ch('t')], true),
        b(A::Withdraw, C::Proposal, &[Key::ch('w')], true),
        b(A::Approve, C::Proposal, &[Key::ch('y')], true),
        b(A::Refuse, C::Proposal, &[Key::ch('n')], true),
        b(A::StartProject, C::Proposal, &[Key::ch('s')], true),
        b(A::StopProject, C::Proposal, &[Key::ch('x')], true),
        // Agenda: on the selected follow-up (Enter opens the facility, from Lists).
        b(A::FollowUpDone, C::Agenda, &[Key::ch('d')], true),
        b(A::Reschedule, C::Agenda, &[Key::ch('r')], true),
        b(A::LogVisit, C::Agenda, &[Key::ch('v')], true),
        // Lists
        b(A::Open, C::List, &enter, true),
        b(A::Search, C::List, &[Key::ch('/')], true),
        b(A::New, C::List, &[Key::ch('n')], true),
        // Only in the archive view, where it is the main action.
        b(A::Restore, C::List, &[Key::ch('u')], true),
        b(A::Sort, C::List, &[Key::ch('s')], true),
        b(A::Filter, C::List, &[Key::ch('f')], true),
        b(A::OtherAreas, C::List, &[Key::ch('o')], true),
        // F5 only (other lists do not handle them, so their footers do not show them).
        b(A::StageFilter, C::List, &[Key::ch('t')], true),
        b(A::BatchFilter, C::List, &[Key::ch('d')], true),
        b(A::Edit, C::List, &[Key::ch('e')], false),
        b(A::Archive, C::List, &[Key::ch('a')], false),
        b(A::LogConsultation, C::List, &[Key::ch('c')], false),
        // `f` filters lists: flagging from the list is `p` (or the palette).
        b(A::Flag, C::List, &[Key::ch('p')], false),
        b(A::Up, C::List, &up, false),
        b(A::Down, C::List, &down, false),
        b(A::PageUp, C::List, &pgup, false),
        b(A::PageDown, C::List, &pgdn, false),
        b(A::Home, C::List, &home, false),
        b(A::End, C::List, &end, false),
        // Search field over a list: printable keys type the query.
        b(A::Open, C::Search, &enter, true),
        bl(A::Back, C::Search, &esc, "ui.action.clear_search", true),
        b(A::Up, C::Search, &arrows_up, false),
        b(A::Down, C::Search, &arrows_down, false),
        b(A::PageUp, C::Search, &pgup, false),
        b(A::PageDown, C::Search, &pgdn, false),
        // Detail
        b(A::Edit, C::Detail, &[Key::ch('e')], true),
        b(A::LogConsultation, C::Detail, &[Key::ch('c')], true),
        b(A::Archive, C::Detail, &[Key::ch('a')], true),
        b(A::Flag, C::Detail, &[Key::ch('f')], true),
        b(A::Restore, C::Detail, &[Key::ch('u')], true),
        b(A::NextPane, C::Detail, &[Key::plain(KeyCode::Tab)], true),
        b(
            A::PrevPane,
            C::Detail,
            &[Key::plain(KeyCode::BackTab)],
            false,
        ),
        b(A::Pane1, C::Detail, &[Key::ch('1')], false),
        b(A::Pane2, C::Detail, &[Key::ch('2')], false),
        b(A::Pane3, C::Detail, &[Key::ch('3')], false),
        b(A::Pane4, C::Detail, &[Key::ch('4')], false),
        b(A::Up, C::Detail, &up, false),
        b(A::Down, C::Detail, &down, false),
        b(A::PageUp, C::Detail, &pgup, false),
        b(A::PageDown, C::Detail, &pgdn, false),
        b(A::Home, C::Detail, &home, false),
        b(A::End, C::Detail, &end, false),
        // Forms: no printable keys here, they type text.
        b(
            A::Save,
            C::Form,
            &[Key::ctrl('s'), Key::plain(KeyCode::F(2))],
            true,
        ),
        b(
            A::NextField,
            C::Form,
            &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)],
            true,
        ),
        b(
            A::PrevField,
            C::Form,
            &[Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)],
            false,
        ),
        // Enter: open the picker of a choice field, toggle a flag, or go to the next field
        // (a multi-line field takes it as a new line before the keymap sees it).
        bl(A::Open, C::Form, &enter, "ui.action.form_enter", false),
        // Picker and palette
        bl(A::Open, C::Picker, &enter, "ui.action.pick", true),
        b(A::Up, C::Picker, &arrows_up, false),
        b(A::Down, C::Picker, &arrows_down, false),
        b(A::PageUp, C::Picker, &pgup, false),
        b(A::PageDown, C::Picker, &pgdn, false),
        bl(A::Back, C::Picker, &esc, "ui.action.cancel", true),
        bl(A::Open, C::Palette, &enter, "ui.action.run", true),
        b(A::Up, C::Palette, &arrows_up, false),
        b(A::Down, C::Palette, &arrows_down, false),
        b(A::PageUp, C::Palette, &pgup, false),
        b(A::PageDown, C::Palette, &pgdn, false),
        bl(A::Back, C::Palette, &esc, "ui.action.close", true),
        // Help overlay
        bl(A::Back, C::HelpOverlay, &esc, "ui.action.close", true),
        bl(A::Up, C::HelpOverlay, &up, "ui.action.scroll_up", true),
        bl(
            A::Down,
            C::HelpOverlay,
            &down,
            "ui.action.scroll_down",
            true,
        ),
        b(A::PageUp, C::HelpOverlay, &pgup, false),
        b(A::PageDown, C::HelpOverlay, &pgdn, false),
        b(A::Home, C::HelpOverlay, &home, false),
        b(A::End, C::HelpOverlay, &end, false),
        // Confirm dialog: y/c(ó) and n/k(hông) so both languages' first letters work.
        b(A::Yes, C::Confirm, &[Key::ch('y'), Key::ch('c')], true),
        b(
            A::No,
            C::Confirm,
            &[Key::ch('n'), Key::ch('k'), Key::plain(KeyCode::Esc)],
            true,
        ),
        bl(A::Open, C::Confirm, &enter, "ui.action.choose", true),
        bl(
            A::NextField,
            C::Confirm,
            &[
                Key::plain(KeyCode::Tab),
                Key::plain(KeyCode::Left),
                Key::plain(KeyCode::Right),
                Key::plain(KeyCode::BackTab),
            ],
            "ui.action.switch",
            false,
        ),
    ]
}

/// All bindings, with the user's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// The defaults with `[keys]` overrides applied (`action name → key strings`). Each override
    /// replaces the keys of every binding of that action. Problems come back as warnings.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
        lang: Lang,
    ) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut warnings = Vec::new();
        for (name, specs) in overrides {
            let Some(action) = Action::from_name(name) else {
                warnings.push(trf(lang, "ui.config.unknown_action", &[name]));
                continue;
            };
            let mut keys = Vec::new();
            for spec in specs {
                match Key::parse(spec) {
                    Some(k) if k.is_ctrl_h() => {
                        warnings.push(trf(lang, "ui.config.ctrl_h", &[name]));
                    }
                    Some(k) => keys.push(k),
                    None => warnings.push(trf(lang, "ui.config.bad_key", &[spec, name])),
                }
            }
            if keys.is_empty() {
                continue;
            }
            let mut found = false;
            for b in map.bindings.iter_mut().filter(|b| b.action == action) {
                found = true;
                if b.context.is_text_entry() {
                    // A printable key would be typed there: keep the defaults if nothing else is left.
                    let usable: Vec<Key> =
                        keys.iter().copied().filter(|k| !k.is_printable()).collect();
                    if !usable.is_empty() {
                        b.keys = usable;
                    }
                } else {
                    b.keys = keys.clone();
                }
            }
            if !found {
                // A placeholder action with no default binding: bind it where screens list things.
                map.bindings.push(Binding {
                    action,
                    context: Context::List,
                    keys,
                    label: action.label_key(),
                    footer: false,
                });
            }
        }
        (map, warnings)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action for `key` in the live `contexts` (most specific first). In a text-entry
    /// context a printable key is text, so nothing below it may claim it.
    pub fn resolve(&self, contexts: &[Context], key: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(key);
        if key.is_ctrl_h() {
            return None;
        }
        for &ctx in contexts {
            if let Some(b) = self
                .bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
            {
                return Some(b.action);
            }
            if ctx.is_text_entry() && key.is_printable() {
                return None;
            }
        }
        None
    }

    /// Keys usable in `contexts`: a printable key is useless below a text-entry context.
    fn usable_keys<'a>(
        &'a self,
        b: &'a Binding,
        contexts: &[Context],
    ) -> impl Iterator<Item = &'a Key> + 'a {
        let pos = contexts.iter().position(|c| *c == b.context).unwrap_or(0);
        let text_above =
            contexts[..pos].iter().any(|c| c.is_text_entry()) || b.context.is_text_entry();
        let shadowed: Vec<Key> = contexts[..pos]
            .iter()
            .flat_map(|c| self.bindings.iter().filter(move |x| x.context == *c))
            .flat_map(|x| x.keys.iter().copied())
            .collect();
        b.keys
            .iter()
            .filter(move |k| !(shadowed.contains(k) || (text_above && k.is_printable())))
    }

    /// Footer hints for the live contexts: (keys, label key). One entry per action, first
    /// usable key only, Help first so it survives truncation. `available` filters out actions
    /// that would do nothing here (the screen decides).
    pub fn footer(
        &self,
        contexts: &[Context],
        available: &dyn Fn(Action) -> bool,
    ) -> Vec<(String, &'static str)> {
        let mut out: Vec<(Action, String, &'static str)> = Vec::new();
        let mut order: Vec<&Binding> = Vec::new();
        order.extend(
            self.bindings
                .iter()
                .filter(|b| b.action == Action::Help && contexts.contains(&b.context)),
        );
        for ctx in contexts {
            order.extend(
                self.bindings
                    .iter()
                    .filter(|b| b.context == *ctx && b.action != Action::Help),
            );
        }
        for b in order {
            if !b.footer || !available(b.action) || out.iter().any(|(a, _, _)| *a == b.action) {
                continue;
            }
            if let Some(k) = self.usable_keys(b, contexts).next() {
                out.push((b.action, k.to_string(), b.label));
            }
        }
        out.into_iter().map(|(_, k, l)| (k, l)).collect()
    }

    /// Every binding grouped by context, in help order: (context, [(keys, label key)]).
    pub fn help_sections(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        Context::ALL
            .iter()
            .filter_map(|ctx| {
                let rows: Vec<(String, &'static str)> = self
                    .bindings
                    .iter()
                    .filter(|b| b.context == *ctx && !b.keys.is_empty())
                    .map(|b| (join_keys(&b.keys), b.label))
                    .collect();
                (!rows.is_empty()).then_some((*ctx, rows))
            })
            .collect()
    }

    /// Actions reachable in `contexts` for the palette: (action, label key, keys text).
    pub fn palette_entries(
        &self,
        contexts: &[Context],
        available: &dyn Fn(Action) -> bool,
    ) -> Vec<(Action, &'static str, String)> {
        let mut out: Vec<(Action, &'static str, String)> = Vec::new();
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *ctx) {
                if !b.action.in_palette()
                    || !available(b.action)
                    || out.iter().any(|(a, _, _)| *a == b.action)
                {
                    continue;
                }
                let keys: Vec<Key> = self.usable_keys(b, contexts).copied().collect();
                out.push((b.action, b.action.label_key(), join_keys(&keys)));
            }
        }
        out
    }

    /// The keys of `action` in `context`, for messages such as "press q to quit".
    pub fn keys_for(&self, action: Action, context: Context) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action && b.context == context)
            .map(|b| join_keys(&b.keys))
            .unwrap_or_default()
    }

    /// The sentence `key` with the keys of each of `actions` in `context` filled in, in order
    /// (a dialog's key hint).
    pub fn hint(
        &self,
        lang: Lang,
        key: &'static str,
        context: Context,
        actions: &[Action],
    ) -> String {
        let keys: Vec<String> = actions.iter().map(|a| self.keys_for(*a, context)).collect();
        let args: Vec<&dyn std::fmt::Display> =
            keys.iter().map(|k| k as &dyn std::fmt::Display).collect();
        trf(lang, key, &args)
    }
}

fn join_keys(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn no_binding_uses_ctrl_h() {
        for b in Keymap::default().bindings() {
            assert!(
                !b.keys.iter().any(|k| k.is_ctrl_h()),
                "{:?} binds Ctrl+H",
                b.action
            );
        }
    }

    #[test]
    fn ctrl_h_override_is_refused() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["ctrl+h".to_string()]);
        let (map, warnings) = Keymap::with_overrides(&o, Lang::En);
        assert_eq!(warnings.len(), 1);
        assert!(map
            .bindings()
            .iter()
            .all(|b| !b.keys.iter().any(|k| k.is_ctrl_h())));
        assert_eq!(
            map.resolve(
                &[Context::TopLevel],
                &ev(KeyCode::Char('q'), KeyModifiers::NONE)
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn every_action_has_a_label_and_a_name() {
        for a in Action::ALL {
            assert!(crate::words::keys().any(|k| k == a.label_key()), "{a:?}");
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
        for c in Context::ALL {
            assert!(crate::words::keys().any(|k| k == c.label_key()), "{c:?}");
        }
        for b in Keymap::default().bindings() {
            assert!(crate::words::keys().any(|k| k == b.label), "{:?}", b.label);
        }
    }

    #[test]
    fn parse_and_display_round_trip() {
        for s in [
            "q",
            "?",
            ":",
            "Ctrl+P",
            "F1",
            "Esc",
            "Enter",
            "PgDn",
            "Shift+Tab",
            "G",
            "Space",
            "Alt+x",
        ] {
            let k = Key::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(Key::parse(&k.to_string()), Some(k), "{s}");
        }
        assert_eq!(Key::parse("ctrl+P"), Some(Key::ctrl('p')));
        assert_eq!(Key::parse("f13"), None);
        assert_eq!(Key::parse("hyper+x"), None);
        assert_eq!(Key::parse("+"), Some(Key::ch('+')));
    }

    #[test]
    fn shift_is_folded_into_characters() {
        let map = Keymap::default();
        let ctx = [Context::List, Context::Global];
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::End)
        );
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::Char('P'), KeyModifiers::CONTROL)),
            Some(Action::Palette)
        );
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Action::Help)
        );
    }

    #[test]
    fn text_entry_swallows_printable_keys() {
        let map = Keymap::default();
        let ctx = [Context::Palette, Context::Global];
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::Char('?'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::F(1), KeyModifiers::NONE)),
            Some(Action::Help)
        );
        assert_eq!(
            map.resolve(&ctx, &ev(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Back)
        );
    }

    #[test]
    fn footer_for_lists_has_help_first() {
        let map = Keymap::default();
        let f = map.footer(
            &[Context::List, Context::TopLevel, Context::Global],
            &|_| true,
        );
        assert_eq!(f[0], ("F1".to_string(), "ui.action.help"));
        assert!(f.iter().any(|(k, l)| k == "q" && *l == "ui.action.quit"));
        // In a form, ':' types text, so the palette is offered as Ctrl+P.
        let f = map.footer(&[Context::Form, Context::Global], &|_| true);
        assert!(f.iter().any(|(k, _)| k == "Ctrl+P"), "{f:?}");
        assert!(!f.iter().any(|(k, _)| k == ":"), "{f:?}");
    }

    #[test]
    fn overrides_replace_keys_and_warn_on_nonsense() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["x".to_string()]);
        o.insert("fly".to_string(), vec!["z".to_string()]);
        o.insert(
            "help".to_string(),
            vec!["ctrl+".to_string(), "F3".to_string()],
        );
        let (map, warnings) = Keymap::with_overrides(&o, Lang::Vi);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let top = [Context::List, Context::TopLevel, Context::Global];
        assert_eq!(
            map.resolve(&top, &ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.resolve(&top, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.resolve(&top, &ev(KeyCode::F(3), KeyModifiers::NONE)),
            Some(Action::Help)
        );
        // Up = "w" must not take the arrow away from the picker, where "w" is typed text.
        let mut o = BTreeMap::new();
        o.insert("up".to_string(), vec!["w".to_string()]);
        let (map, _) = Keymap::with_overrides(&o, Lang::Vi);
        let picker = [Context::Picker, Context::Global];
        assert_eq!(
            map.resolve(&picker, &ev(KeyCode::Up, KeyModifiers::NONE)),
            Some(Action::Up)
        );
        let list = [Context::List, Context::Global];
        assert_eq!(
            map.resolve(&list, &ev(KeyCode::Char('w'), KeyModifiers::NONE)),
            Some(Action::Up)
        );
    }
}
