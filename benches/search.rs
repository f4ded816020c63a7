//! Search latency at 100,000 facilities, typed letter by letter.
//!
//! `cargo bench --bench search` prints Markdown tables (figures for docs/PERFORMANCE.md).
//! Measures and records only: it never fails on a timing.
//! Env: CTV_BENCH_DOCS overrides the number of docs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ctv::search::{Doc, SearchIndex};
use ctv::text;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const SURNAMES: [(&str, u32); 14] = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Hồ", 2),
    ("Ngô", 2),
];
const MIDDLE: [&str; 16] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Xuân", "Thu", "Kim", "Công",
    "Đình", "Bá", "Mạnh", "Thế",
];
const GIVEN: [&str; 60] = [
    "An", "Anh", "Bình", "Cường", "Chi", "Dũng", "Dung", "Duy", "Đạt", "Đức", "Giang", "Hà", "Hải",
    "Hạnh", "Hiếu", "Hòa", "Hoa", "Hùng", "Hương", "Huy", "Khánh", "Khoa", "Lan", "Linh", "Long",
    "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Phương", "Quân", "Quang",
    "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Thành", "Thủy", "Trang", "Trung", "Tú", "Tuấn",
    "Tùng", "Uyên", "Vân", "Việt", "Vinh", "Xuân", "Yến", "Lộc", "Thịnh", "Tiến", "Toàn", "Hiền",
    "Oanh",
];
const PRODUCTS: [&str; 40] = [
    "bánh đa",
    "mây tre đan",
    "gốm",
    "gốm sứ",
    "nón lá",
    "chiếu cói",
    "nước mắm",
    "bún",
    "miến dong",
    "mộc mỹ nghệ",
    "sơn mài",
    "dệt thổ cẩm",
    "đan lát",
    "rèn",
    "đúc đồng",
    "chè",
    "rượu",
    "tương",
    "bánh tráng",
    "kẹo dừa",
    "thêu ren",
    "hương nhang",
    "gạch ngói",
    "đá mỹ nghệ",
    "cơ khí",
    "may mặc",
    "chế biến gỗ",
    "mật ong",
    "bánh chưng",
    "giò chả",
    "đậu phụ",
    "dệt lụa",
    "bàn ghế gỗ",
    "chổi đót",
    "lưới đánh cá",
    "nông cụ",
    "thảm bẹ ngô",
    "tinh bột nghệ",
    "cà phê",
    "hạt điều",
];
const PLACE_A: [&str; 20] = [
    "An", "Bình", "Phú", "Tân", "Hòa", "Hưng", "Thanh", "Vĩnh", "Đông", "Tây", "Nam", "Bắc",
    "Quảng", "Xuân", "Kim", "Đức", "Hải", "Long", "Mỹ", "Thái",
];
const PLACE_B: [&str; 20] = [
    "Phú", "Lộc", "Thịnh", "Hòa", "Lợi", "Sơn", "Thành", "Vinh", "Yên", "Khánh", "Hưng", "An",
    "Phong", "Tiến", "Trung", "Bình", "Thuận", "Hiệp", "Đông", "Tây",
];
const FAMOUS: [&str; 8] = [
    "Bát Tràng",
    "Phù Lãng",
    "Vạn Phúc",
    "Đồng Kỵ",
    "Chu Đậu",
    "Thổ Hà",
    "Phú Vinh",
    "Kim Sơn",
];

fn communes() -> Vec<String> {
    let mut v: Vec<String> = FAMOUS.iter().map(|s| (*s).to_owned()).collect();
    'outer: for a in PLACE_A {
        for b in PLACE_B {
            if a != b && (a.len() + b.len()) % 2 == 0 {
                v.push(format!("{a} {b}"));
                if v.len() >= 200 {
                    break 'outer;
                }
            }
        }
    }
    v
}

fn person(rng: &mut StdRng) -> String {
    let total: u32 = SURNAMES.iter().map(|s| s.1).sum();
    let mut r = rng.gen_range(0..total);
    let mut surname = SURNAMES[0].0;
    for (s, w) in SURNAMES {
        if r < w {
            surname = s;
            break;
        }
        r -= w;
    }
    let middle = MIDDLE.choose(rng).copied().unwrap_or("Văn");
    let given = GIVEN.choose(rng).copied().unwrap_or("An");
    format!("{surname} {middle} {given}")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const ONSETS: [&str; 22] = [
    "b", "c", "ch", "d", "đ", "g", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t",
    "th", "tr", "v", "x",
];
/// Vietnamese rhymes (vần), so the made-up syllables cover about as many as real data.
const RHYMES: [&str; 144] = [
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ăc", "ăm",
    "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em",
    "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ia",
    "ich", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu", "im", "in", "inh", "ip", "it", "iu",
    "o", "oa", "oac", "oach", "oai", "oan", "oang", "oanh", "oao", "oap", "oat", "oay", "oăc",
    "oăn", "oăng", "oăt", "oc", "oe", "oen", "oet", "oi", "om", "on", "ong", "op", "ot", "ô", "ôc",
    "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm", "ơn", "ơp", "ơt", "u", "ua", "uân",
    "uâng", "uât", "uây", "uc", "uê", "uêch", "uênh", "ui", "um", "un", "ung", "uôc", "uôi", "uôm",
    "uôn", "uông", "uôt", "up", "ut", "uy", "uya", "uych", "uyên", "uyêt", "uynh", "uyt", "uyu",
    "ư", "ưa", "ưc", "ưi", "ưng", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "ưt",
    "ưu",
];

/// Puts a tone on the first vowel of a rhyme: 0 none, then huyền, sắc, hỏi, ngã, nặng.
fn toned(rhyme: &str, tone: usize) -> String {
    const MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0309}', '\u{0303}', '\u{0323}'];
    let mut out = String::new();
    let mut done = tone == 0;
    for c in rhyme.chars() {
        out.push(c);
        if !done && "aăâeêioôơuưy".contains(c) {
            out.push(MARKS[tone - 1]);
            done = true;
        }
    }
    text::nfc(&out)
}

/// A few thousand plausible syllables, so the vocabulary is as large as real data's.
fn syllable_pool(rng: &mut StdRng) -> Vec<String> {
    let mut pool = Vec::new();
    for o in ONSETS {
        for r in RHYMES {
            pool.push(format!("{o}{}", toned(r, rng.gen_range(0..6))));
            pool.push(format!("{o}{}", toned(r, rng.gen_range(0..6))));
        }
    }
    pool.sort();
    pool.dedup();
    pool
}

/// Deterministic synthetic facilities, generated lazily so a memory measurement can stream
/// them into the index.
fn make_docs(n: usize) -> impl Iterator<Item = Doc> {
    let mut rng = StdRng::seed_from_u64(20_251_125);
    let communes = communes();
    let pool = syllable_pool(&mut rng);
    (0..n).map(move |i| {
        let rep = person(&mut rng);
        let product = PRODUCTS.choose(&mut rng).copied().unwrap_or("gốm");
        let commune = communes.choose(&mut rng).cloned().unwrap_or_default();
        let brand = format!(
            "{} {}",
            capitalize(pool.choose(&mut rng).map_or("", String::as_str)),
            capitalize(pool.choose(&mut rng).map_or("", String::as_str))
        );
        let name = match rng.gen_range(0..12) {
            0..=3 => format!("Cơ sở sản xuất {product} {rep}"),
            4 => format!("HTX {product} {commune}"),
            5 => format!("Làng nghề {product} {commune}"),
            6 => format!("Công ty TNHH {} {brand}", capitalize(product)),
            7 => format!("Hộ kinh doanh {rep}"),
            8 => format!("Cơ sở {product} {}", rep.rsplit(' ').next().unwrap_or("")),
            9 => format!("Cơ sở {product} {brand}"),
            10 => format!("HTX {brand}"),
            _ => format!("Doanh nghiệp tư nhân {} {commune}", capitalize(product)),
        };
        let second = PRODUCTS.choose(&mut rng).copied().unwrap_or("gốm");
        let products = if rng.gen_bool(0.3) {
            format!("{product}, {second}")
        } else {
            product.to_owned()
        };
        let prefix = if rng.gen_bool(0.8) {
            "Xã"
        } else {
            "Phường"
        };
        Doc {
            id: format!("0193a1b2-0000-7000-8000-{i:012}"),
            name,
            representative: rep,
            products,
            commune: format!("{prefix} {commune}"),
            phone: format!("09{:08}", rng.gen_range(0..100_000_000u32)),
            // A third have a tax number (not from `rng`: the rest of the data stays as it was).
            tax_code: if i % 3 == 0 {
                format!("0{:09}", (i as u64 * 7_919) % 1_000_000_000)
            } else {
                String::new()
            },
        }
    })
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time used so far by the whole process, all threads (ended ones too), in ms.
/// Linux only, 10 ms ticks: meaningful summed over many keystrokes. On a machine shared
/// with other work it shows what an idle machine would need, where wall time cannot.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Stats {
    p50: f64,
    p95: f64,
    max: f64,
}

fn stats(v: &[Duration]) -> Stats {
    let mut s: Vec<f64> = v.iter().map(|d| ms(*d)).collect();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
    Stats {
        p50: at(0.50),
        p95: at(0.95),
        max: s.last().copied().unwrap_or(0.0),
    }
}

const QUERIES: [&str; 10] = [
    "nguyen van duc",
    "lang nghe gom",
    "may tre dan",
    "0912",
    "bat trang",
    "hoa",
    "Hòa",
    "co so banh da tran",
    "nguyenvanduc",
    "htx",
];
const LIMIT: usize = 50;
/// Typing sessions: the first is reported as is, and the best per keystroke over all.
const RUNS: usize = 5;

fn fold5(d: &Doc) -> [String; 5] {
    [
        &d.name,
        &d.representative,
        &d.products,
        &d.commune,
        &d.phone,
    ]
    .map(|s| text::fold(s))
}

fn main() {
    let n: usize = std::env::var("CTV_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Memory first, while the process is small: docs go straight into the index one by
    // one, as the store hands them over.
    let rss0 = rss_kib("VmRSS:");
    let mut index = SearchIndex::new();
    for d in make_docs(n) {
        index.push(d);
    }
    index.shrink_to_fit();
    let rss_index = rss_kib("VmRSS:");
    let t = Instant::now();
    index.prepare();
    let prepare_unsorted = t.elapsed();
    let rss_prepared = rss_kib("VmRSS:");
    for q in QUERIES {
        for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
            black_box(index.search(&q[..end], LIMIT));
        }
    }
    let rss_typed = rss_kib("VmRSS:");
    let hwm_build = rss_kib("VmHWM:");
    drop(index);

    let t = Instant::now();
    let mut docs: Vec<Doc> = make_docs(n).collect();
    let gen_time = t.elapsed();
    // The store hands docs over ORDER BY sort_key = vn_sort_key(name).
    docs.sort_by_cached_key(|d| text::vn_sort_key(&d.name));
    let folded: Vec<[String; 5]> = docs.iter().map(fold5).collect();
    // How varied the data is: the scorer's work per new query word grows with this.
    let syllables: std::collections::HashSet<&str> = folded
        .iter()
        .flat_map(|f| f[..4].iter())
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|s| !s.is_empty())
        .collect();
    let distinct_syllables = syllables.len();
    let distinct_names: std::collections::HashSet<&str> =
        docs.iter().map(|d| d.name.as_str()).collect();
    let distinct_names = distinct_names.len();

    // Only the calls are timed; each doc is copied just before, as a fresh row from the
    // store would be (freeing 100,000 long-cold docs would be timed otherwise).
    let mut build = Duration::ZERO;
    let mut index = SearchIndex::new();
    for d in &docs {
        let d = d.clone();
        let t = Instant::now();
        index.push(d);
        build += t.elapsed();
    }
    drop(index);

    let mut build_prefolded = Duration::ZERO;
    let mut index = SearchIndex::new();
    for (d, f) in docs.iter().zip(&folded) {
        let (d, f) = (d.clone(), f.clone());
        let t = Instant::now();
        index.push_folded(d, f);
        build_prefolded += t.elapsed();
    }
    let t = Instant::now();
    index.shrink_to_fit();
    build_prefolded += t.elapsed();
    // `docs` and `folded` live to the end: freeing a million cold strings here would make
    // glibc consolidate its heap inside the next timed call.

    // One-shot `ctv find`: a first query on a fresh index, before the name order exists
    // (only a tie of over a few thousand docs at the cut would build it).
    let t = Instant::now();
    let first = index.search("nguyen van duc", LIMIT);
    let first_query = t.elapsed();
    black_box(first);
    let t = Instant::now();
    index.prepare();
    let prepare = t.elapsed();

    // Typing: each keystroke searches the prefix typed so far, as the TUI does. The whole
    // session is typed RUNS times; the first run is reported as is, and the best of the runs
    // per keystroke filters out waits for a core that other processes hold.
    let cpu_before = cpu_ms();
    let mut cold_cpu = 0.0;
    let keystrokes: usize = QUERIES.iter().map(|q| q.chars().count()).sum();
    let mut runs: Vec<Vec<Duration>> = Vec::with_capacity(RUNS);
    let mut cold: Vec<Duration> = vec![Duration::MAX; QUERIES.len()];
    let mut last_hits = vec![0; QUERIES.len()];
    for _ in 0..RUNS {
        let mut times = Vec::with_capacity(keystrokes);
        for (qi, q) in QUERIES.iter().enumerate() {
            index.clear_cache();
            let mut typed = String::new();
            for c in q.chars() {
                typed.push(c);
                let t = Instant::now();
                let hits = index.search(&typed, LIMIT);
                times.push(t.elapsed());
                last_hits[qi] = hits.len();
                black_box(hits);
            }
            // Cold: the whole query at once on an empty cache (a paste, `ctv find`).
            index.clear_cache();
            let c = cpu_ms();
            let t = Instant::now();
            black_box(index.search(q, LIMIT));
            cold[qi] = cold[qi].min(t.elapsed());
            cold_cpu += cpu_ms().zip(c).map_or(0.0, |(a, b)| a - b);
        }
        runs.push(times);
    }
    let typing_cpu = cpu_ms()
        .zip(cpu_before)
        .map(|(a, b)| (a - b - cold_cpu) / (keystrokes * RUNS) as f64);
    let first = &runs[0];
    let best: Vec<Duration> = (0..keystrokes)
        .map(|k| runs.iter().map(|r| r[k]).min().unwrap_or_default())
        .collect();
    let mut rows = Vec::new();
    let mut at = 0;
    for (qi, q) in QUERIES.iter().enumerate() {
        let n = q.chars().count();
        let (f, b) = (stats(&first[at..at + n]), stats(&best[at..at + n]));
        rows.push(format!(
            "| `{q}` | {n} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            f.p50,
            f.p95,
            f.max,
            b.p50,
            b.p95,
            ms(cold[qi]),
            last_hits[qi]
        ));
        at += n;
    }
    let (s, sb) = (stats(first), stats(&best));

    println!("## Search benchmark: {n} facilities, {threads} cores, limit {LIMIT}\n");
    println!(
        "Data: {distinct_names} distinct names, {distinct_syllables} distinct folded syllables \
         over names, representatives, products and communes.\n"
    );
    println!("| step | ms |");
    println!("| --- | ---: |");
    println!(
        "| generate the synthetic docs (not ctv) | {:.1} |",
        ms(gen_time)
    );
    println!(
        "| build the index with `push` (folds every field) | {:.1} |",
        ms(build)
    );
    println!(
        "| build the index with `push_folded` (the store's folded keys) | {:.1} |",
        ms(build_prefolded)
    );
    println!(
        "| first query on a fresh index (`nguyen van duc`) | {:.1} |",
        ms(first_query)
    );
    println!(
        "| one-shot total: `push_folded` build + first query | {:.1} |",
        ms(build_prefolded + first_query)
    );
    println!(
        "| `prepare` (name order for ties), docs in store order | {:.1} |",
        ms(prepare)
    );
    println!(
        "| `prepare`, docs in random order (sorts all names) | {:.1} |",
        ms(prepare_unsorted)
    );
    println!();
    println!(
        "| query, typed letter by letter | keystrokes | p50 ms | p95 ms | max ms | best of {RUNS}: p50 ms | best of {RUNS}: p95 ms | whole query, cold cache, ms | hits |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        println!("{r}");
    }
    println!(
        "| **all keystrokes** | {keystrokes} | **{:.2}** | **{:.2}** | {:.2} | **{:.2}** | **{:.2}** | | |",
        s.p50, s.p95, s.max, sb.p50, sb.p95
    );
    if let Some(cpu) = typing_cpu {
        println!(
            "\nCPU time per keystroke, all threads, mean over {} keystrokes: {cpu:.2} ms \
             (wall-clock figures above include waiting for a core when the machine is busy; \
             load average at the end: {}).",
            keystrokes * RUNS,
            std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|l| l.split_whitespace().next().map(str::to_owned))
                .unwrap_or_else(|| "?".into())
        );
    }
    println!();
    println!("| memory (docs pushed one by one, as from the store) | MiB |");
    println!("| --- | ---: |");
    println!("| RSS before | {:.1} |", rss0 as f64 / 1024.0);
    println!(
        "| index after build + `shrink_to_fit` (RSS growth) | {:.1} |",
        rss_index.saturating_sub(rss0) as f64 / 1024.0
    );
    println!(
        "| index with the name order built (RSS growth) | {:.1} |",
        rss_prepared.saturating_sub(rss0) as f64 / 1024.0
    );
    println!(
        "| index after typing every query (word and query caches full; RSS growth) | {:.1} |",
        rss_typed.saturating_sub(rss0) as f64 / 1024.0
    );
    println!(
        "| peak RSS of the process up to there | {:.1} |",
        hwm_build as f64 / 1024.0
    );
}
