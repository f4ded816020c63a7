//! End to end: the real binary in a pseudo-terminal, read through a vt100 parser.

mod common;

use common::pty::Pty;
use common::{commune_db, ctv, ctv_bin};

const CTRL_S: &[u8] = b"\x13";
const BACKSPACE_0X08: &[u8] = b"\x08";

fn spawn(dir: &std::path::Path, db: &std::path::Path) -> Pty {
    let home = dir.to_str().unwrap();
    Pty::spawn(
        &ctv_bin(),
        &["--db", db.to_str().unwrap()],
        &[
            ("HOME", home),
            ("XDG_CONFIG_HOME", home),
            ("XDG_DATA_HOME", home),
        ],
        24,
        80,
    )
}

fn facilities_json(db: &std::path::Path) -> serde_json::Value {
    let (code, out, err) = ctv(db, &["facilities", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The input-method replay `v i e ⌫ ê t ⌫ ⌫ ệ t`, with ⌫ sent as byte 0x08 as Unikey does.
fn type_viet(p: &mut Pty) {
    for step in ["v", "i", "e", "\x08", "ê", "t", "\x08", "\x08", "ệ", "t"] {
        if step == "\x08" {
            p.send(BACKSPACE_0X08);
        } else {
            p.send_str(step);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn first_run_create_find_edit_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let mut p = spawn(dir.path(), &db);

    // First-run setup: name, role, commune picked by a diacritic-free query.
    p.wait_for("Họ và tên");
    p.type_slowly("Nguyễn Văn An");
    p.send_str("\r");
    p.wait_for("Cộng tác viên cấp xã");
    p.send_str("\r");
    p.wait_for("Chọn xã/phường");
    p.type_slowly("phuong ba dinh");
    p.wait_for("Phường Ba Đình (00004)");
    p.send_str("\r");
    p.wait_for("Lưu hồ sơ");
    p.send_str("\r");
    p.wait_for("0 / 0 cơ sở");
    assert!(
        p.screen().contains("Nguyễn Văn An"),
        "header shows who works:\n{}",
        p.screen()
    );

    // Create a facility; the name is typed through an input-method replay.
    p.send_str("n");
    p.wait_for("Thêm cơ sở CNNT");
    p.type_slowly("Cơ sở bánh đa ");
    type_viet(&mut p);
    p.wait_for("Cơ sở bánh đa việt");
    p.send(CTRL_S);
    p.wait_for("1 / 1 cơ sở");

    // Find it without diacritics, open it, edit it.
    p.send_str("/");
    p.type_slowly("banh da viet");
    p.wait_for("bánh đa");
    p.send_str("\r");
    p.wait_for("Lịch sử");
    p.send_str("e");
    p.wait_for("Sửa");
    p.type_slowly(" Phát");
    p.send(CTRL_S);
    p.wait_for("Cơ sở bánh đa việt Phát");
    p.wait_gone("Sửa cơ sở");

    // Back out and quit.
    for _ in 0..3 {
        p.send_str("\x1b");
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);

    let v = facilities_json(&db);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "Cơ sở bánh đa việt Phát");
    assert_eq!(v[0]["commune_code"], "00004");
    assert_eq!(v[0]["version"], 2);
    let id = v[0]["id"].as_str().unwrap().to_string();
    let (_, hist, _) = ctv(&db, &["facilities", "history", &id]);
    assert!(hist.contains("create") && hist.contains("update"), "{hist}");
}

#[test]
fn an_nfd_paste_is_stored_as_nfc() {
    let (dir, db) = commune_db();
    let mut p = spawn(dir.path(), &db);
    p.wait_for("0 / 0 cơ sở");
    p.send_str("n");
    p.wait_for("Thêm cơ sở CNNT");
    // Bracketed paste of decomposed text: "Làng nghề Việt" in NFD.
    let nfd = "La\u{0300}ng nghe\u{0302}\u{0300} Vie\u{0323}\u{0302}t";
    p.send(format!("\x1b[200~{nfd}\x1b[201~").as_bytes());
    p.wait_for("Làng nghề Việt");
    p.send(CTRL_S);
    p.wait_for("1 / 1 cơ sở");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
    let v = facilities_json(&db);
    assert_eq!(v[0]["name"], "Làng nghề Việt");
    assert_eq!(
        v[0]["name"].as_str().unwrap().chars().count(),
        14,
        "one code point per letter (NFC)"
    );
}

#[test]
fn escape_sequences_in_stored_names_never_reach_the_terminal() {
    let (dir, db) = commune_db();
    assert_eq!(
        ctv(
            &db,
            &[
                "facilities",
                "add",
                "--name",
                "Placeholder",
                "--commune",
                "00004"
            ]
        )
        .0,
        0
    );
    // A hostile name written behind the app's back (an old file, a bad bundle): the store
    // never ingests like this, so the render path must sanitise on its own.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "UPDATE facilities SET name = ?1",
            ["Evil\u{1b}[2JClear\u{1b}]52;c;aGk=\u{7}Clip"],
        )
        .unwrap();
    }
    let mut p = spawn(dir.path(), &db);
    p.wait_for("1 / 1 cơ sở");
    p.wait_for("Clip");
    p.send_str("\r");
    p.wait_for("Lịch sử");
    let raw = p.raw();
    let has = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(
        !has(b"\x1b]52"),
        "an OSC 52 clipboard write reached the terminal"
    );
    assert!(
        !has(b"\x1b[2JClear"),
        "the clear-screen from the data reached the terminal"
    );
    assert!(
        !has(b"\x07Clip"),
        "the BEL from the data reached the terminal"
    );
    p.send_str("\x1b");
    // A lone ESC followed at once by "q" reads as Alt+Q: let the ESC stand alone.
    p.wait_gone("Lịch sử");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
}

#[cfg(unix)] // signals
#[test]
fn sigterm_restores_the_terminal_and_writes_nothing_half_way() {
    let (dir, db) = commune_db();
    let mut p = spawn(dir.path(), &db);
    p.wait_for("0 / 0 cơ sở");
    p.send_str("n");
    p.wait_for("Thêm cơ sở CNNT");
    p.type_slowly("Chưa lưu");
    let pid = p.pid().expect("pid");
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    p.wait_exit();
    let raw = p.raw();
    let tail = &raw[raw.len().saturating_sub(200)..];
    let has = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(b"\x1b[?1049l"),
        "left the alternate screen: {:?}",
        String::from_utf8_lossy(tail)
    );
    assert_eq!(
        facilities_json(&db).as_array().unwrap().len(),
        0,
        "the unsaved form wrote nothing"
    );
}

#[test]
fn f3_agenda_marks_an_overdue_follow_up_done_with_a_vietnamese_note() {
    let (dir, db) = commune_db();
    let add = [
        "facilities",
        "add",
        "--name",
        "Cơ sở gốm Minh Đức",
        "--commune",
        "00004",
    ];
    assert_eq!(ctv(&db, &add).0, 0);
    let id = facilities_json(&db)[0]["id"].as_str().unwrap().to_string();
    let consult = [
        "consult",
        "add",
        "--facility",
        &id,
        "--date",
        "01/01/2025",
        "--mode",
        "TRUC_TIEP",
        "--next-step",
        "Gửi hồ sơ đề nghị hỗ trợ",
        "--follow-up",
        "05/01/2025",
    ];
    assert_eq!(ctv(&db, &consult).0, 0);
    let mut p = spawn(dir.path(), &db);
    p.wait_for("⚠ 1 quá hạn");
    // F3 as PuTTY sends it.
    p.send(b"\x1b[13~");
    p.wait_for("Quá hạn (1)");
    p.wait_for("Gửi hồ sơ đề nghị");
    p.send_str("d");
    p.wait_for("Ghi chú");
    type_viet(&mut p);
    p.send_str("\r");
    p.wait_for("Đã đánh dấu xong");
    p.wait_gone("⚠ 1 quá hạn");
    p.send(b"\x1b");
    p.wait_for("1 / 1 cơ sở");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
    let (code, out, err) = ctv(&db, &["consult", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["follow_up"]["status"], "done");
    assert_eq!(list[0]["follow_up"]["note"], "việt");
}

/// Issue 4's flow end to end: open a facility, log a visit with a follow-up tomorrow (the
/// form, typed through the pseudo-terminal), then — the clock moved to the next day — see it
/// due today in the agenda and mark it done.
#[test]
fn log_a_visit_with_a_follow_up_tomorrow_then_tomorrow_it_is_due_and_marked_done() {
    let (dir, db) = commune_db();
    let add = [
        "facilities",
        "add",
        "--name",
        "Cơ sở gốm Minh Đức",
        "--commune",
        "00004",
    ];
    let (code, _, err) = ctv(&db, &add);
    assert_eq!(code, 0, "{err}");
    let home = dir.path().to_str().unwrap();
    let at = |now: &str| {
        Pty::spawn(
            &ctv_bin(),
            &["--db", db.to_str().unwrap()],
            &[
                ("HOME", home),
                ("XDG_CONFIG_HOME", home),
                ("XDG_DATA_HOME", home),
                ("CTV_NOW", now),
            ],
            24,
            80,
        )
    };

    // Wednesday 25/11/2026, 09:00 in Hà Nội.
    let mut p = at("2026-11-25T02:00:00Z");
    p.wait_for("1 / 1 cơ sở");
    p.send_str("\r");
    p.wait_for("Thông tin");
    p.send_str("c");
    p.wait_for("Ghi lần làm việc");
    p.wait_for("25/11/2026");
    // Date → mode → topics → difficulties → needs → advice → next step → follow-up date.
    for _ in 0..4 {
        p.send_str("\t");
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    p.type_slowly("Cần vốn mua lò nung");
    for _ in 0..2 {
        p.send_str("\t");
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    p.type_slowly("Gửi hồ sơ đề án");
    p.send_str("\t");
    p.type_slowly("26/11/2026");
    p.send(CTRL_S);
    p.wait_for("Đã lưu lần làm việc");
    p.send_str("2");
    p.wait_for("Hẹn theo dõi: 26/11/2026");
    assert!(!p.screen().contains("quá hạn"), "nothing overdue yet");
    // Ctrl+C leaves from anywhere (nothing unsaved).
    p.send(b"\x03");
    assert_eq!(p.wait_exit(), 0);

    // The next morning: due today.
    let mut p = at("2026-11-26T01:00:00Z");
    p.wait_for("1 / 1 cơ sở");
    p.send(b"\x1bOR"); // F3 as xterm sends it
    p.wait_for("Hôm nay (1)");
    p.wait_for("Gửi hồ sơ đề án");
    p.send_str("d");
    p.wait_for("Ghi chú");
    p.type_slowly("Đã nhận hồ sơ");
    p.send_str("\r");
    p.wait_for("Đã đánh dấu xong");
    p.wait_for("Không có việc theo dõi nào đang chờ");
    p.send(b"\x03");
    assert_eq!(p.wait_exit(), 0);

    let (code, out, err) = ctv(&db, &["consult", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["needs"], "Cần vốn mua lò nung");
    assert_eq!(list[0]["follow_up"]["status"], "done");
    assert_eq!(list[0]["follow_up"]["note"], "Đã nhận hồ sơ");
}

/// Runs `ctv` with `args` against `db` at the clock time `now`; panics unless it succeeds.
fn ctv_at(db: &std::path::Path, now: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(ctv_bin())
        .args(args)
        .env("CTV_DB", db)
        .env("CTV_NOW", now)
        .env_remove("CTV_LANG")
        .env("HOME", db.parent().unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ctv {args:?}: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Issue 13: the pseudo-terminal here (vt100) never answers a cursor-position query, like
/// tmux, old PuTTY or a slow link. Ctrl+L (redraw) and a restore from F6 must not wait for an
/// answer (crossterm gives up after two seconds and the app used to exit with "The cursor
/// position could not be read within a normal duration"): the app stays up and reopens on
/// the restored data.
#[test]
fn ctrl_l_and_an_f6_restore_work_on_a_terminal_that_never_answers_queries() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    // Distinct clock times so the manual snapshot is the newest one listed.
    let (t1, t2, t3) = (
        "2026-11-25T02:00:00Z",
        "2026-11-25T03:00:00Z",
        "2026-11-25T04:00:00Z",
    );
    let init = [
        "init",
        "--name",
        "Lê Thị Hoa",
        "--role",
        "commune",
        "--unit",
        "00004",
    ];
    ctv_at(&db, t1, &init);
    let add = |name: &str, now: &str| {
        ctv_at(
            &db,
            now,
            &["facilities", "add", "--name", name, "--commune", "00004"],
        );
    };
    add("Cơ sở gốm Minh Đức", t1);
    ctv_at(&db, t2, &["backup"]);
    add("Cơ sở mây tre Phú Vinh", t3);

    let home = dir.path().to_str().unwrap();
    let mut p = Pty::spawn(
        &ctv_bin(),
        &["--db", db.to_str().unwrap()],
        &[
            ("HOME", home),
            ("XDG_CONFIG_HOME", home),
            ("XDG_DATA_HOME", home),
            ("CTV_NOW", t3),
        ],
        24,
        80,
    );
    p.wait_for("1 / 2 cơ sở");
    p.wait_for("Phú Vinh");

    // Ctrl+L, then F6: the snapshots screen only appears if the redraw did not hang or fail.
    p.send(b"\x0c");
    p.send(b"\x1b[17~");
    p.wait_for("thủ công");
    assert!(!p.has_exited(), "ctv exited after Ctrl+L:\n{}", p.screen());

    // The newest snapshot (the manual one, one facility) is selected: restore it.
    p.send_str("\r");
    p.wait_for("Khôi phục bản sao lưu lúc");
    p.send_str("y");
    p.wait_for("Đã khôi phục từ bản sao");
    // Reopened on the restored data: the facility added after the snapshot is gone.
    p.wait_for("1 / 1 cơ sở");
    p.wait_gone("Phú Vinh");
    assert!(p.screen().contains("Minh Đức"), "{}", p.screen());
    assert!(!p.has_exited(), "ctv exited after the restore");

    // Still usable: another redraw, then a normal quit (exit code 0, not an error).
    p.send(b"\x0c");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0, "{}", p.screen());

    let raw = p.raw();
    assert!(
        !raw.windows(4).any(|w| w == b"\x1b[6n"),
        "the app asked the terminal for the cursor position"
    );
    let v = facilities_json(&db);
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cơ sở gốm Minh Đức"]);
}
