//! The shared provincial server for real: `ctv admin setup-shared` as root, the program
//! installed setgid, real Unix accounts (named `ctvt…`, removed afterwards) using it, many at
//! once, and one session through a real sshd. Needs root (CI runs as root); elsewhere each test
//! prints why it did not run.
#![cfg(unix)]

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn is_root() -> bool {
    unsafe { libc::getuid() == 0 }
}

macro_rules! need_root {
    () => {
        if !is_root() {
            println!("skipped: this test creates Unix accounts and a setgid program; run it as root (CI does)");
            return;
        }
    };
}

/// Runs a system tool, retrying while another test holds the account database lock.
fn system(cmd: &str, args: &[&str]) {
    for _ in 0..50 {
        let out = Command::new(cmd).args(args).output().expect(cmd);
        if out.status.success() {
            return;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.contains("lock") {
            panic!("{cmd} {args:?}: {err}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{cmd} {args:?}: the account database stayed locked");
}

fn system_quiet(cmd: &str, args: &[&str]) {
    for _ in 0..50 {
        match Command::new(cmd).args(args).output() {
            Ok(o) if !String::from_utf8_lossy(&o.stderr).contains("lock") => return,
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// A shared server in `target/tmp/ctvt-…`: the group, the users, the installed program.
struct Server {
    base: PathBuf,
    bin: PathBuf,
    data: PathBuf,
    group: String,
    gid: u32,
    users: Vec<String>,
}

impl Server {
    fn new(tag: &str, users: usize) -> Server {
        let id = format!("ctvt{}{tag}", std::process::id());
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(&id);
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        set_mode(&base, 0o755);
        let group = format!("{id}grp");
        let bin = base.join("bin/ctv");
        let data = base.join("data");
        let out = Command::new(common::ctv_bin())
            .args(["--lang", "en", "admin", "setup-shared"])
            .arg(&data)
            .arg("--install")
            .arg(&bin)
            .args(["--group", &group])
            .output()
            .unwrap();
        assert!(out.status.success(), "setup-shared: {}", text(&out.stderr));
        let gid = std::fs::metadata(&data).unwrap().gid();
        let mut server = Server {
            base,
            bin,
            data,
            group,
            gid,
            users: Vec::new(),
        };
        for i in 0..users {
            let name = format!("{id}{}", (b'a' + i as u8) as char);
            let home = server.base.join("home").join(&name);
            std::fs::create_dir_all(home.parent().unwrap()).unwrap();
            set_mode(home.parent().unwrap(), 0o755);
            system(
                "useradd",
                &[
                    "--create-home",
                    "--home-dir",
                    home.to_str().unwrap(),
                    "--shell",
                    "/bin/sh",
                    "--user-group",
                    &name,
                ],
            );
            // Without a password hash sshd (without PAM) takes the account as locked; "*"
            // means no password login, keys only.
            system("usermod", &["--password", "*", &name]);
            server.users.push(name);
        }
        server
    }

    fn user(&self, i: usize) -> &str {
        &self.users[i]
    }

    /// `ctv ARGS` as root (the administrator), through the installed program.
    fn root(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .arg("--lang")
            .arg("en")
            .args(args)
            .env_remove("CTV_DB")
            .output()
            .unwrap()
    }

    /// A command line run as `user` (real and effective uid and gid, their own groups).
    fn as_user(&self, user: &str, program: &Path) -> Command {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", user, "--regid", user, "--init-groups", "--"])
            .arg(program)
            .env_remove("CTV_DB")
            .env("HOME", self.base.join("home").join(user))
            .current_dir(self.base.join("home").join(user));
        c
    }

    fn ctv(&self, user: &str, args: &[&str]) -> Output {
        self.as_user(user, &self.bin)
            .args(["--lang", "en"])
            .args(args)
            .output()
            .unwrap()
    }

    fn add_profile(&self, user: &str, role: &str, unit: &str) {
        let name = format!("Cán bộ {user}");
        let out = self.root(&[
            "admin", "user", "add", user, "--name", &name, "--role", role, "--unit", unit,
        ]);
        assert!(out.status.success(), "user add: {}", text(&out.stderr));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for u in &self.users {
            system_quiet("userdel", &["--remove", u]);
        }
        system_quiet("groupdel", &[&self.group]);
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The id in "Saved facility «…» (id ID)".
fn added_id(out: &Output) -> String {
    let s = text(&out.stdout);
    let at = s.find("(id ").unwrap_or_else(|| panic!("no id in {s}"));
    s[at + 4..].split(')').next().unwrap().trim().to_string()
}

fn version_of(s: &Server, user: &str, id: &str) -> i64 {
    let out = s.ctv(user, &["facilities", "show", id]);
    assert!(out.status.success(), "show: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Version")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no version in {stdout}"))
}

#[test]
fn the_database_is_reached_only_through_ctv_with_each_accounts_rights() {
    need_root!();
    let s = Server::new("s", 3);
    let (a, b, c) = (s.user(0), s.user(1), s.user(2));
    s.add_profile(a, "commune", "00004");
    s.add_profile(b, "commune", "00008");

    // What setup made: a closed directory, a setgid program, a group-only database.
    let m = std::fs::metadata(&s.data).unwrap();
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (0, s.gid, 0o2770));
    let m = std::fs::metadata(&s.bin).unwrap();
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (0, s.gid, 0o2755));
    let db = s.data.join("ctv.db");
    assert_eq!(std::fs::metadata(&db).unwrap().mode() & 0o777, 0o660);
    // The writer queue's lock file beside it: the group's, like the database.
    let m = std::fs::symlink_metadata(s.data.join("ctv.db-lock")).unwrap();
    assert!(m.file_type().is_file());
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o777), (0, s.gid, 0o660));

    // The user cannot open the database directly, to read or to write.
    for script in [
        format!("cat '{}' > /dev/null", db.display()),
        format!(": >> '{}'", db.display()),
    ] {
        let out = s
            .as_user(a, Path::new("/bin/sh"))
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{script} worked");
        assert!(
            text(&out.stderr).contains("Permission denied"),
            "{}",
            text(&out.stderr)
        );
    }

    // Through ctv it works, as the account's profile.
    let out = s.ctv(
        a,
        &[
            "facilities",
            "add",
            "--name",
            "Gốm Ba Đình",
            "--commune",
            "00004",
        ],
    );
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    let id_a = added_id(&out);
    let out = s.ctv(
        b,
        &[
            "facilities",
            "add",
            "--name",
            "Mây tre Ngọc Hà",
            "--commune",
            "00008",
        ],
    );
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    // A WAL written by one account stays usable by the others.
    let out = s.ctv(a, &["facilities", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(listed.contains("Gốm Ba Đình"), "{listed}");
    assert!(
        !listed.contains("Mây tre"),
        "another commune is not shown: {listed}"
    );

    // A commune collaborator cannot change another commune's facility.
    let v = version_of(&s, a, &id_a);
    for args in [
        vec!["facilities", "edit", id_a.as_str(), "--set", "workers=99"],
        vec!["facilities", "archive", id_a.as_str()],
    ] {
        let out = s.ctv(b, &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
    let out = s.ctv(
        b,
        &[
            "facilities",
            "add",
            "--name",
            "Lấn sân",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(version_of(&s, a, &id_a), v, "nothing was written");
    let all = text(&s.root(&["facilities", "list"]).stdout);
    assert!(!all.contains("Lấn sân"), "{all}");

    // --db and CTV_DB are ignored (and said so), whatever file they name.
    let home_a = s.base.join("home").join(a);
    let elsewhere = home_a.join("other.db");
    let out = s
        .as_user(a, &s.bin)
        .args(["--lang", "en", "--db"])
        .arg(&elsewhere)
        .args(["facilities", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("ignored"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("Gốm Ba Đình"));
    let out = s
        .as_user(a, &s.bin)
        .env("CTV_DB", &elsewhere)
        .args(["--lang", "en", "facilities", "list"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("ignored"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("Gốm Ba Đình"));
    assert!(!elsewhere.exists());

    // An export into the data directory is refused by the kernel; into the user's own folder
    // it is written as the user's file, not the group's.
    let inside = s.data.join("plan.csv");
    let out = s.ctv(
        a,
        &[
            "plan",
            "--year",
            "2026",
            "--format",
            "csv",
            "--out",
            inside.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ermission denied"),
        "{}",
        text(&out.stderr)
    );
    assert!(!inside.exists());
    let out = s.ctv(a, &["backup", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a backup over the database");
    let own = home_a.join("plan.csv");
    let out = s.ctv(
        a,
        &[
            "plan",
            "--year",
            "2026",
            "--format",
            "csv",
            "--out",
            own.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m = std::fs::metadata(&own).unwrap();
    assert_ne!(m.gid(), s.gid, "the export is the user's, not the group's");
    // The bundle for the province likewise: not into the data directory (and nothing is
    // recorded as sent), into the user's own folder as the user's file.
    let out = s.ctv(a, &["export", "--out", s.data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("ermission denied"),
        "{}",
        text(&out.stderr)
    );
    let bundles_in = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".ctvb"))
            .collect::<Vec<_>>()
    };
    assert!(bundles_in(&s.data).is_empty());
    let out = s.ctv(a, &["export", "--out", home_a.to_str().unwrap()]);
    assert!(out.status.success(), "export: {}", text(&out.stderr));
    let sent = bundles_in(&home_a);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].to_string_lossy().ends_with("-0001.ctvb"),
        "the refused export used no sequence number: {sent:?}"
    );
    assert_ne!(std::fs::metadata(&sent[0]).unwrap().gid(), s.gid);
    // Importing the database itself as a "spreadsheet" is refused the same way.
    let out = s.ctv(a, &["facilities", "import", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    // A backup to a file would carry every commune and the accounts: root's only (issue 13).
    let backup = home_a.join("copy.db");
    let out = s.ctv(a, &["backup", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("only the administrator (root) may back up"),
        "{}",
        text(&out.stderr)
    );
    assert!(!backup.exists(), "no copy was written");

    // An account without a profile, and a disabled one, are refused plainly.
    let out = s.ctv(c, &["facilities", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("has no collaborator profile"),
        "{}",
        text(&out.stderr)
    );
    let out = s.root(&["admin", "user", "disable", b]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.ctv(b, &["facilities", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is disabled"),
        "{}",
        text(&out.stderr)
    );
    let listed = text(&s.root(&["admin", "user", "list"]).stdout);
    assert!(
        listed.contains(a) && listed.contains("disabled"),
        "{listed}"
    );
    // Users are no administrators.
    let out = s.ctv(
        a,
        &[
            "admin", "user", "add", c, "--name", "X", "--role", "province", "--unit", "01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = s.ctv(a, &["restore", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

/// 8 accounts edit one facility at once, each edit naming the version it read: every edit
/// either lands as the next version or is reported as a conflict; none is lost, no other
/// error is shown, and lists keep working meanwhile.
#[test]
fn eight_accounts_at_once_lose_nothing_and_every_conflict_is_reported() {
    need_root!();
    const WORKERS: usize = 8;
    const ROUNDS: usize = 10;
    let s = Server::new("c", WORKERS);
    for u in &s.users {
        s.add_profile(u, "province", "01");
    }
    let out = s.ctv(
        s.user(0),
        &[
            "facilities",
            "add",
            "--name",
            "Làng gốm chung",
            "--commune",
            "00004",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = added_id(&out);

    struct Tally {
        saved_versions: Vec<i64>,
        conflicts: usize,
        stale_detected: usize,
        errors: Vec<String>,
    }
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (s, id) = (&s, &id);
                scope.spawn(move || {
                    let user = s.user(w);
                    let mut t = Tally {
                        saved_versions: Vec::new(),
                        conflicts: 0,
                        stale_detected: 0,
                        errors: Vec::new(),
                    };
                    for r in 0..ROUNDS {
                        let v = version_of(s, user, id);
                        let value = format!("workers={}", w * 1000 + r);
                        // Round 3 edits a version read long ago: it must be refused.
                        let asked = if r == 3 { 1 } else { v };
                        let out = s.ctv(
                            user,
                            &[
                                "facilities",
                                "edit",
                                id,
                                "--if-version",
                                &asked.to_string(),
                                "--set",
                                &value,
                            ],
                        );
                        let err = text(&out.stderr);
                        if out.status.success() {
                            let o = text(&out.stdout);
                            match o
                                .rsplit("(version ")
                                .next()
                                .and_then(|x| x.trim().trim_end_matches(").").parse().ok())
                            {
                                Some(n) if n == asked + 1 => t.saved_versions.push(n),
                                _ => t.errors.push(format!("saved as {o} from version {asked}")),
                            }
                        } else if err.contains("changed by someone else") && err.contains("theirs")
                        {
                            t.conflicts += 1;
                            if r == 3 {
                                t.stale_detected += 1;
                            }
                        } else {
                            t.errors.push(err);
                        }
                        let out = s.ctv(user, &["facilities", "list"]);
                        if !out.status.success() || !text(&out.stdout).contains("Làng gốm chung")
                        {
                            t.errors.push(format!("list: {}", text(&out.stderr)));
                        }
                    }
                    t
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let errors: Vec<&String> = tallies.iter().flat_map(|t| &t.errors).collect();
    assert!(errors.is_empty(), "errors shown: {errors:#?}");
    assert_eq!(
        tallies.iter().map(|t| t.stale_detected).sum::<usize>(),
        WORKERS,
        "every edit of a stale version is reported"
    );
    let mut saved: Vec<i64> = tallies
        .iter()
        .flat_map(|t| t.saved_versions.clone())
        .collect();
    saved.sort();
    let final_version = version_of(&s, s.user(0), &id);
    // No lost update: each save made exactly the next version, and the record has them all.
    assert_eq!(saved, (2..=final_version).collect::<Vec<_>>());
    let attempts = WORKERS * ROUNDS;
    let conflicts: usize = tallies.iter().map(|t| t.conflicts).sum();
    assert_eq!(saved.len() + conflicts, attempts);
    // The change log has one update per save.
    let hist = text(&s.root(&["facilities", "history", &id]).stdout);
    assert_eq!(hist.matches("update").count(), saved.len(), "{hist}");
}

/// A collaborator logs in over SSH (a real sshd on 127.0.0.1, key authentication) and works
/// in the terminal app as their own account.
#[test]
fn a_session_over_ssh_runs_the_terminal_app_as_the_account() {
    need_root!();
    let sshd = Path::new("/usr/sbin/sshd");
    if !sshd.exists() {
        panic!("sshd is missing: .ci/run installs openssh-server");
    }
    let s = Server::new("h", 1);
    let u = s.user(0).to_string();
    s.add_profile(&u, "commune", "00004");
    let out = s.ctv(
        &u,
        &[
            "facilities",
            "add",
            "--name",
            "Nón lá qua SSH",
            "--commune",
            "00004",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let ssh_dir = s.base.join("ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    set_mode(&ssh_dir, 0o755);
    for key in ["host", "client"] {
        let st = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(ssh_dir.join(key))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let keys = ssh_dir.join("authorized_keys");
    std::fs::copy(ssh_dir.join("client.pub"), &keys).unwrap();
    set_mode(&keys, 0o644);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = ssh_dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {keys}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nUsePAM no\nStrictModes no\nAllowUsers {u}\nPermitRootLogin no\n",
            host = ssh_dir.join("host").display(),
            dir = ssh_dir.display(),
            keys = keys.display(),
        ),
    )
    .unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    let mut daemon = Command::new(sshd)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(&mut daemon);
    // Ready once it accepts a connection (bounded; not a timing assertion).
    let mut ready = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ready, "sshd did not start");

    let key = ssh_dir.join("client");
    let bin = s.bin.display().to_string();
    let port_s = port.to_string();
    let target = format!("{u}@127.0.0.1");
    let remote = format!("CTV_DB=/nonexistent/x.db {bin} --lang en");
    let mut p = common::pty::Pty::spawn(
        Path::new("/usr/bin/ssh"),
        &[
            "-tt",
            "-i",
            key.to_str().unwrap(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "BatchMode=yes",
            "-p",
            &port_s,
            &target,
            &remote,
        ],
        &[],
        30,
        110,
    );
    // The header names the account's profile; the list shows its commune's facility.
    p.wait_for(&format!("Cán bộ {u}"));
    p.wait_for("Nón lá qua SSH");
    p.wait_for("1 / 1");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
}

/// Issue 13 ("Shared server, hardened"): what a commune collaborator tried on a real shared
/// server, each of which must stay impossible — see the "attacks tried" table in
/// docs/shared-server.md.
#[test]
fn a_commune_collaborator_cannot_break_out_of_the_rules() {
    need_root!();
    let s = Server::new("x", 4);
    let (prov, a, b, none) = (s.user(0), s.user(1), s.user(2), s.user(3));
    s.add_profile(prov, "province", "01");
    s.add_profile(a, "commune", "00004");
    s.add_profile(b, "commune", "00008");
    let db = s.data.join("ctv.db");
    let snaps = s.data.join("snapshots");
    let listing = || -> Vec<(String, u32, u32, u32)> {
        let mut v: Vec<_> = std::fs::read_dir(&snaps)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with("ctv_"))
            .map(|e| {
                let m = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    m.uid(),
                    m.gid(),
                    m.mode() & 0o777,
                )
            })
            .collect();
        v.sort();
        v
    };

    // Hole 2: CTV_NOW (and the other test variables) are ignored, and said so once.
    let out = s
        .as_user(a, &s.bin)
        .env("CTV_NOW", "2020-01-01T03:00:00Z")
        .env("CTV_MAX_PAGE_COUNT", "1")
        .args(["--lang", "en", "facilities", "add", "--name", "Gốm Bí Mật"])
        .args(["--commune", "00004", "--phone", "0912345678"])
        .output()
        .unwrap();
    assert!(out.status.success(), "add: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.matches("CTV_NOW").count(), 1, "{err}");
    assert!(err.contains("CTV_MAX_PAGE_COUNT"), "{err}");
    let secret = added_id(&out);
    let history = text(&s.ctv(a, &["facilities", "history", &secret]).stdout);
    assert!(
        !history.contains("2020"),
        "dated by the system clock: {history}"
    );
    // The daily snapshot of that run is dated now, not in 2020 and not in the future.
    let year = chrono_year();
    let out = s
        .as_user(a, &s.bin)
        .env("CTV_NOW", "2099-06-01T03:00:00Z")
        .args(["--lang", "en", "backup"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (name, uid, gid, mode) in listing() {
        assert!(!name.contains("2099") && !name.contains("2020"), "{name}");
        assert!(name.contains(&year), "{name}");
        // Bug: snapshots are the group's (0660 in the 2770 folder), whoever's session made them.
        assert_eq!((gid, mode), (s.gid, 0o660), "{name} of uid {uid}");
    }

    // Hole 3: root's manual backup survives a user's repeated backups; each user's own manual
    // ones rotate within that user's quota.
    let out = s.root(&["backup"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let roots_manual: Vec<String> = listing()
        .into_iter()
        .filter(|(n, uid, _, _)| *uid == 0 && n.contains("_manual_"))
        .map(|(n, ..)| n)
        .collect();
    assert_eq!(roots_manual.len(), 1);
    let uid_a = std::fs::metadata(s.base.join("home").join(a))
        .unwrap()
        .uid();
    for _ in 0..7 {
        let out = s.ctv(a, &["backup"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let now = listing();
    assert!(now.iter().any(|(n, ..)| n == &roots_manual[0]), "{now:?}");
    let mine = now
        .iter()
        .filter(|(n, uid, ..)| *uid == uid_a && n.contains("_manual_"))
        .count();
    assert_eq!(mine, 5, "{now:?}");

    // Hole 1: a user's backup to a file is refused (see the first test); root's works.
    let root_copy = s.base.join("root-copy.db");
    let out = s.root(&["backup", root_copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Hole 4: a province officer cannot demote root nor touch another province officer.
    let out = s.ctv(
        prov,
        &[
            "admin", "user", "add", "root", "--name", "R", "--role", "commune", "--unit", "00004",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("Only root"),
        "{}",
        text(&out.stderr)
    );
    let out = s.ctv(prov, &["admin", "user", "disable", prov]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = s.root(&["check"]);
    assert!(
        out.status.success(),
        "root is still the administrator: {}",
        text(&out.stderr)
    );

    // Hole 6: another commune's records are not shown, a duplicate outside the scope is not
    // named, an account without a profile gets no answer from check or snapshots.
    let out = s.ctv(
        a,
        &[
            "consult",
            "add",
            "--facility",
            &secret,
            "--mode",
            "TRUC_TIEP",
            "--topic",
            "KC01",
            "--needs",
            "Bí mật",
        ],
    );
    assert!(out.status.success(), "consult: {}", text(&out.stderr));
    let consult_id = added_id(&out);
    let out = s.ctv(b, &["consult", "show", &consult_id]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains("Bí mật"));
    let out = s.ctv(
        b,
        &[
            "facilities",
            "add",
            "--name",
            "Mây tre",
            "--commune",
            "00008",
            "--phone",
            "0912345678",
        ],
    );
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("outside your area"), "{all}");
    assert!(
        !all.contains("Gốm Bí Mật") && !all.contains(&secret[secret.len() - 8..]),
        "{all}"
    );
    for args in [["check"], ["snapshots"]] {
        let out = s.ctv(none, &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stdout)
        );
        assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    }

    // Hole 5: an account removed by root is refused (its records keep their author).
    let out = s.root(&["admin", "user", "remove", b]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.ctv(b, &["facilities", "list"]);
    assert_eq!(out.status.code(), Some(1));

    // Bug: restore is refused while a session holds the database, naming who, and leaves
    // no snapshot behind; then it keeps the database root:ctv 0660 and everyone works on.
    let before = listing();
    let mut holder = Command::new("setpriv")
        .args([
            "--reuid",
            a,
            "--regid",
            &s.gid.to_string(),
            "--clear-groups",
            "--",
        ])
        .args(["sh", "-c", "exec 3<\"$0\"; echo ready; exec sleep 30"])
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
    }
    let out = s.root(&["restore", root_copy.to_str().unwrap()]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains(a),
        "names the holder: {}",
        text(&out.stderr)
    );
    assert_eq!(listing(), before, "a refused restore leaves no snapshot");
    let out = s.root(&["restore", root_copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m = std::fs::metadata(&db).unwrap();
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o777), (0, s.gid, 0o660));
    let out = s.ctv(a, &["facilities", "list"]);
    assert!(out.status.success(), "after restore: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Gốm Bí Mật"));
}

/// The current year (UTC), as snapshot names write it.
fn chrono_year() -> String {
    let out = Command::new("date").args(["-u", "+%Y"]).output().unwrap();
    text(&out.stdout).trim().to_string()
}
