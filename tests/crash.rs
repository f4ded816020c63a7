//! The process killed in the middle of writing (SIGKILL at random moments, like a power cut
//! for the process): after each kill the database passes the integrity check and holds every
//! write the child reported as committed.
//!
//! The child is this same binary run again with CTV_CRASH_DB set: it writes through the core
//! in a loop and prints each committed write. (A test target without the libtest harness, so
//! that the child needs no ignored test to hide in.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use rand::Rng;

const KILLS: usize = 60;

fn main() {
    match std::env::var("CTV_CRASH_DB") {
        Ok(db) => crash_child(&db),
        Err(_) => {
            crash_loop_keeps_every_acknowledged_write();
            println!("crash_loop_keeps_every_acknowledged_write ... ok");
        }
    }
}

fn crash_child(db: &str) {
    let mut store = Store::open(std::path::Path::new(db)).unwrap();
    let mut mine: Vec<(String, i64)> = Vec::new();
    for n in 0u64.. {
        if n % 4 == 3 && !mine.is_empty() {
            // Archive or restore one of ours: a new version and a change-log row.
            let i = (n as usize / 4) % mine.len();
            let (id, v) = mine[i].clone();
            let f = store.set_facility_archived(&id, v, n % 8 == 3).unwrap();
            mine[i].1 = f.meta.version;
            println!("V {id} {}", f.meta.version);
        } else {
            let input = FacilityInput {
                name: format!(
                    "Cơ sở dệt thổ cẩm số {n} của tiến trình {}",
                    std::process::id()
                ),
                commune_code: "00004".into(),
                notes: "x".repeat((n % 7) as usize * 300),
                ..Default::default()
            };
            let (f, _) = store.create_facility(&input).unwrap();
            println!("C {} {}", f.id, f.meta.version);
            mine.push((f.id, f.meta.version));
        }
    }
}

fn crash_loop_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    {
        let mut s = Store::open(&db).unwrap();
        s.init_profile(
            &ProfileInput {
                name: "Trần Thị Bình".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            false,
        )
        .unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::thread_rng();
    let started = Instant::now();
    let mut acknowledged: std::collections::HashMap<String, i64> = Default::default();
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .env("CTV_CRASH_DB", &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = {
            let lines = lines.clone();
            let out = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for l in BufReader::new(out).lines().map_while(Result::ok) {
                    if l.starts_with("C ") || l.starts_with("V ") {
                        let _ = tx.send(());
                        lines.lock().unwrap().push(l);
                    }
                }
            })
        };
        // Kill at a random moment once the child is writing (not while it starts).
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the child writes");
        std::thread::sleep(Duration::from_micros(rng.gen_range(0..40_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for l in lines.lock().unwrap().iter() {
            let mut p = l.split(' ').skip(1);
            let (id, v) = (p.next().unwrap(), p.next().unwrap().parse::<i64>().unwrap());
            let e = acknowledged.entry(id.to_string()).or_default();
            *e = (*e).max(v);
        }

        let report = ctv::store::check_database(&db).unwrap();
        assert!(report.is_ok(), "round {round}: {report:?}");
        let store = Store::open(&db).unwrap();
        for (id, v) in &acknowledged {
            let f = store
                .facility(id)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: acknowledged {id} is lost"));
            assert!(f.meta.version >= *v, "round {round}: {id} lost version {v}");
        }
    }
    assert!(acknowledged.len() > KILLS, "the children wrote too little");
    eprintln!(
        "{KILLS} kills, {} acknowledged records, {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
}
