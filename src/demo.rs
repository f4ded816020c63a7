//! `ctv demo`: realistic synthetic facilities, to try CTV out and to benchmark it.
//!
//! The data is invented but shaped like a provincial list: Vietnamese names and places, the
//! entity types in plausible proportions (household businesses most common), products that fit
//! their trade group (NĐ 52/2018), tax numbers with valid check digits, mobile numbers, a few
//! craft villages, OCOP stars and typical-product titles. The same seed gives the same rows.

use std::io::Write;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::domain::facility::tax_check_digit;
use crate::domain::{FacilityData, FacilityField, FacilityInput, FacilityStatus, Profile};
use crate::refdata::{units, CommuneKind};
use crate::text::nfc;

/// Family names with their rough share (per cent) of the population.
const FAMILY_NAMES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Huỳnh", 40),
    ("Phan", 45),
    ("Vũ", 40),
    ("Võ", 35),
    ("Đặng", 20),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
];

const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Ngọc", "Đình",
    "Trọng",
];
const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Thùy", "Kim", "Hồng", "Bích", "Phương",
];
const GIVEN_MALE: &[&str] = &[
    "Đức", "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Long", "Nam", "Sơn", "Thắng", "Cường", "Quân",
    "Bình", "Phúc", "Khoa", "Trung", "Thành", "Hòa", "Toàn", "Hiếu", "Quý", "Tùng", "Việt", "Lộc",
    "Kiên", "Phong", "Hưng", "Thịnh", "Tâm", "Vinh", "Khánh", "Đạt", "Huy", "Lực", "Chiến",
];
const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Hằng", "Thảo", "Ngọc", "Nga", "Phương", "Trang", "Linh",
    "Huyền", "Yến", "Thủy", "Nhung", "Loan", "Hạnh", "Dung", "Oanh", "Vân", "Liên", "Hà", "Tuyết",
    "Quyên", "Hiền", "Chi",
];

/// Villages and places that give cooperatives, craft villages and addresses their names.
const PLACES: &[&str] = &[
    "Phú Vinh",
    "Tân Cương",
    "Bát Tràng",
    "Vạn Phúc",
    "Đồng Kỵ",
    "Phù Lãng",
    "Chu Đậu",
    "Kim Sơn",
    "Hương Canh",
    "Thanh Hà",
    "Phước Tích",
    "Bàu Trúc",
    "Cẩm Hà",
    "Đông Hồ",
    "Cái Mơn",
    "Phú Hòa",
    "An Bình",
    "Tân Lập",
    "Yên Thái",
    "Phú Lộc",
    "Đông Sơn",
    "Quảng Phú",
    "Thạch Xá",
    "Chàng Sơn",
    "Hữu Bằng",
    "Kiêu Kỵ",
    "La Phù",
    "Tam Sơn",
    "Mỹ Đồng",
    "Ninh Hiệp",
    "Đa Sỹ",
    "Xuân Lai",
    "Phú Túc",
    "Cự Đà",
    "Ước Lễ",
    "Hòa Tiến",
    "Thổ Hà",
    "Đại Bái",
    "Quất Động",
    "Sơn Đồng",
    "Tân Hội",
    "Mỹ Lương",
    "Bình Đức",
    "Phước Kiều",
    "Tràng An",
];

/// Distinctive parts of company names.
const BRANDS: &[&str] = &[
    "Minh Long",
    "Hoàng Gia",
    "Phúc An",
    "Thành Đạt",
    "An Phát",
    "Hưng Thịnh",
    "Việt Tiến",
    "Tân Phú",
    "Đại Thành",
    "Kim Long",
    "Bảo Ngọc",
    "Trường Sơn",
    "Sông Hồng",
    "Hồng Hà",
    "Thiên Phú",
    "Quang Minh",
    "Hà Thành",
    "Nam Việt",
    "Đông Á",
    "Hải Đăng",
    "Phương Nam",
    "Bình Minh",
    "Ánh Dương",
    "Sao Mai",
    "Tiến Đạt",
    "Toàn Thắng",
    "Phú Gia",
    "Hoàng Long",
    "Thịnh Vượng",
    "Trí Đức",
    "Lộc Phát",
    "Gia Bảo",
];

/// (trade group, weight, [(name phrase, main products)]).
type Catalogue = &'static [(&'static str, u32, &'static [(&'static str, &'static str)])];
const TRADES: Catalogue = &[
    (
        "NN1",
        34,
        &[
            ("bánh đa", "Bánh đa nem, bánh đa vừng"),
            ("bún bánh phở", "Bún tươi, bánh phở, bánh cuốn"),
            ("chế biến chè", "Chè búp khô, chè móc câu"),
            ("nước mắm", "Nước mắm cốt, nước mắm nhĩ"),
            ("giò chả", "Giò lụa, chả quế"),
            ("rượu truyền thống", "Rượu gạo, rượu nếp cái hoa vàng"),
            ("miến dong", "Miến dong, tinh bột dong riềng"),
            ("mật ong", "Mật ong hoa nhãn, mật ong rừng"),
            ("chế biến cà phê", "Cà phê rang xay, cà phê bột"),
            ("chế biến hạt điều", "Nhân hạt điều rang muối"),
            ("nem chua", "Nem chua, nem nướng"),
            ("kẹo dừa", "Kẹo dừa, bánh tráng dừa"),
            ("tinh bột nghệ", "Tinh bột nghệ, nghệ viên mật ong"),
            ("chả cá", "Chả cá, cá khô"),
            ("bánh chưng", "Bánh chưng, bánh tét, bánh giầy"),
            ("tương bần", "Tương nếp, mắm tép"),
            ("xay xát gạo", "Gạo tẻ, gạo nếp"),
            ("rau củ sấy", "Rau củ sấy, măng khô"),
            ("bánh tráng", "Bánh tráng phơi sương"),
            ("đậu phụ", "Đậu phụ, sữa đậu nành"),
        ],
    ),
    (
        "NN2",
        12,
        &[
            ("sơn mài", "Tranh sơn mài, hộp sơn mài"),
            ("khảm trai", "Tranh khảm trai, đồ gỗ khảm"),
            ("thêu tay", "Tranh thêu, khăn thêu tay"),
            ("tranh dân gian", "Tranh dân gian in mộc bản"),
            ("điêu khắc gỗ", "Tượng gỗ, đồ thờ chạm khắc"),
            ("đúc đồng", "Đồ đồng mỹ nghệ, chuông, lư hương"),
            ("chạm bạc", "Trang sức bạc, đồ bạc mỹ nghệ"),
            ("đá mỹ nghệ", "Tượng đá, đồ đá mỹ nghệ"),
            ("nón lá", "Nón lá, nón bài thơ"),
            ("giấy dó", "Giấy dó, tranh giấy dó"),
        ],
    ),
    (
        "NN3",
        6,
        &[
            ("sơ chế mây tre", "Nan tre, song mây sơ chế"),
            ("xẻ gỗ", "Gỗ xẻ, ván bóc"),
            ("sơ chế cói", "Cói sợi khô"),
            ("vôi", "Vôi bột, vôi cục"),
            ("gạch không nung", "Gạch không nung, gạch block"),
            ("phân bón hữu cơ", "Phân bón hữu cơ vi sinh từ phụ phẩm"),
        ],
    ),
    (
        "NN4",
        25,
        &[
            ("mây tre đan", "Giỏ, làn, bàn ghế mây tre"),
            ("gốm sứ", "Bình, lọ, bát đĩa gốm"),
            ("đồ gỗ", "Bàn ghế, tủ, giường gỗ"),
            ("dệt lụa", "Lụa tơ tằm, khăn lụa"),
            ("thêu ren", "Khăn trải bàn, áo thêu ren"),
            ("cơ khí nhỏ", "Nông cụ cầm tay, khung cửa sắt"),
            ("dệt thổ cẩm", "Vải thổ cẩm, túi thổ cẩm"),
            ("đan cói", "Chiếu cói, túi cói, thảm cói"),
            ("may mặc", "Quần áo bảo hộ lao động, đồng phục"),
            ("rèn", "Dao, kéo, nông cụ rèn"),
            ("đan lục bình", "Giỏ, thảm lục bình"),
            ("thủy tinh", "Chai lọ, đồ thủy tinh mỹ nghệ"),
        ],
    ),
    (
        "NN5",
        7,
        &[
            ("cây cảnh", "Cây cảnh, bonsai"),
            ("hoa lan", "Lan hồ điệp, lan rừng"),
            ("cá cảnh", "Cá cảnh, cây thủy sinh"),
            ("đào quất", "Đào thế, quất cảnh"),
            ("sinh vật cảnh", "Chậu cảnh, cây thế"),
        ],
    ),
    (
        "NN6",
        3,
        &[
            ("muối biển", "Muối hạt, muối tinh"),
            ("muối sạch", "Muối sạch, muối i-ốt"),
            ("chế biến muối", "Muối tôm, muối ớt"),
        ],
    ),
    (
        "NN7",
        13,
        &[
            ("sửa chữa máy nông nghiệp", "Sửa chữa máy cày, máy gặt"),
            ("dịch vụ xay xát", "Xay xát lúa gạo thuê"),
            ("sấy nông sản", "Sấy lúa, sấy nông sản thuê"),
            ("in ấn bao bì", "Bao bì, nhãn mác sản phẩm"),
            ("gia công cơ khí", "Gia công, sửa chữa cơ khí"),
            ("thu gom nông sản", "Thu gom, sơ chế nông sản"),
        ],
    ),
];

/// Entity types with their weight: household businesses most common.
const ENTITY_TYPES: &[(&str, u32)] = &[
    ("HKD", 55),
    ("DNNVV", 22),
    ("HTX", 13),
    ("THT", 9),
    ("LHHTX", 1),
];

/// Mobile prefixes in use (Viettel, MobiFone, VinaPhone, Vietnamobile, Gmobile).
const MOBILE_PREFIXES: &[&str] = &[
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "070",
    "076", "077", "078", "079", "089", "090", "093", "081", "082", "083", "084", "085", "088",
    "091", "094", "056", "058", "092", "059", "099",
];

const NOTES: &[&str] = &[
    "Cần hỗ trợ máy sấy",
    "Đề nghị hỗ trợ tham gia hội chợ",
    "Đang xây dựng nhãn hiệu tập thể",
    "Thiếu mặt bằng sản xuất",
    "Muốn đăng ký sản phẩm OCOP",
    "Cần vốn vay mở rộng sản xuất",
    "Nhu cầu đào tạo nghề cho lao động",
    "Đã được hỗ trợ máy móc năm 2023",
    "Cần tư vấn thiết kế bao bì, mẫu mã",
    "Nước thải chưa được xử lý, cần tư vấn sản xuất sạch hơn",
];

/// A multiplier near `ring` × 0.618 (the golden ratio) that shares no factor with `ring`:
/// `i ↦ i · m mod ring` visits every residue once, and consecutive rows land far apart, so
/// phone and tax numbers are distinct within a run and do not look sequential.
fn scatter_step(ring: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let mut m = (ring as f64 * 0.618_033_988_75) as u64 | 1;
    while gcd(m, ring) != 1 {
        m += 2;
    }
    m
}

/// `i`'s place in a scrambled walk over `0..ring`.
fn scatter(i: u64, ring: u64, offset: u64) -> u64 {
    let m = u128::from(scatter_step(ring));
    ((u128::from(i) * m + u128::from(offset)) % u128::from(ring)) as u64
}

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if r < *w {
            return item;
        }
        r -= w;
    }
    &items[items.len() - 1].0
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

struct Person {
    full: String,
    female: bool,
    birth_year: i32,
}

fn person(rng: &mut StdRng) -> Person {
    let female = rng.gen_bool(0.4);
    let family = pick_weighted(rng, FAMILY_NAMES);
    let (middle, given) = if female {
        (pick(rng, MIDDLE_FEMALE), pick(rng, GIVEN_FEMALE))
    } else {
        (pick(rng, MIDDLE_MALE), pick(rng, GIVEN_MALE))
    };
    Person {
        full: format!("{family} {middle} {given}"),
        female,
        birth_year: rng.gen_range(1955..=2000),
    }
}

/// A 10-digit tax number with a valid check digit, distinct for distinct rows (below about
/// 300,000 rows per province prefix).
fn tax_code(province: &str, i: u64, n: u64, offset: u64) -> Option<String> {
    let prefix: String = province
        .chars()
        .filter(char::is_ascii_digit)
        .take(2)
        .collect();
    let prefix = format!("{prefix:0>2}");
    for attempt in 0..32u64 {
        let k = scatter(i + attempt * n.max(1), 10_000_000, offset);
        let first9 = format!("{prefix}{k:07}");
        let check = tax_check_digit(first9.as_bytes());
        if check < 10 {
            return Some(format!("{first9}{check}"));
        }
    }
    None
}

/// A 12-digit personal id (CCCD): province, sex and century, birth year, six digits.
fn personal_id(province: &str, p: &Person, i: u64, offset: u64) -> String {
    let century = if p.birth_year >= 2000 { 2 } else { 0 };
    let sex = century + u32::from(p.female);
    let serial = scatter(i, 1_000_000, offset);
    format!("0{province:0>2}{sex}{:02}{serial:06}", p.birth_year % 100)
}

/// A mobile number, distinct for distinct `i` (below 3·10⁸ rows).
fn phone(i: u64, offset: u64) -> String {
    let k = scatter(i, MOBILE_PREFIXES.len() as u64 * 10_000_000, offset);
    let prefix = MOBILE_PREFIXES[(k / 10_000_000) as usize];
    format!("{prefix}{:07}", k % 10_000_000)
}

/// `n` synthetic facilities in the given 2025 communes, the same for the same seed. Every row
/// passes validation (tested). No communes, no rows.
pub fn generate(n: usize, seed: u64, communes: &[String]) -> Vec<FacilityData> {
    if communes.is_empty() {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let u = units();
    // Rural communes (xã) hold most CNNT facilities.
    let weighted: Vec<(usize, u32)> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let w = match u.commune(c).map(|c| c.kind) {
                Some(CommuneKind::Xa) => 4,
                _ => 1,
            };
            (i, w)
        })
        .collect();
    let phone_offset = rng.gen::<u64>() % 1_000_000_000;
    let tax_offset = rng.gen::<u64>() % 10_000_000;
    let id_offset = rng.gen::<u64>() % 1_000_000;
    let total = n as u64;

    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let row = i as u64;
        let commune_code = communes[*pick_weighted(&mut rng, &weighted)].clone();
        let commune = u.commune(&commune_code);
        let province = commune
            .map(|c| c.province_code.clone())
            .unwrap_or_else(|| commune_code.chars().take(2).collect());
        let is_ward = commune.is_some_and(|c| c.kind == CommuneKind::Phuong);
        let commune_name = commune.map(|c| c.name.clone()).unwrap_or_default();

        let entity = *pick_weighted(&mut rng, ENTITY_TYPES);
        let (group, items) = pick_trade(&mut rng);
        let &(phrase, products) = items.choose(&mut rng).unwrap_or(&("", ""));
        let owner = person(&mut rng);
        let place = if !commune_name.is_empty() && rng.gen_bool(0.3) {
            commune_name.clone()
        } else {
            pick(&mut rng, PLACES).to_string()
        };

        let name = match entity {
            "HKD" => {
                let lead = if rng.gen_bool(0.5) {
                    "Hộ kinh doanh"
                } else {
                    "Cơ sở"
                };
                if rng.gen_bool(0.7) {
                    format!("{lead} {phrase} {}", owner.full)
                } else {
                    format!("{lead} {phrase} {place}")
                }
            }
            "THT" => format!("Tổ hợp tác {phrase} {place}"),
            "HTX" => {
                let lead = if rng.gen_bool(0.7) {
                    "HTX"
                } else {
                    "Hợp tác xã"
                };
                format!("{lead} {phrase} {place}")
            }
            "LHHTX" => format!("Liên hiệp HTX {phrase} {place}"),
            _ => {
                let lead = pick(
                    &mut rng,
                    &[
                        "Công ty TNHH",
                        "Công ty TNHH",
                        "Công ty cổ phần",
                        "Công ty TNHH MTV",
                        "Doanh nghiệp tư nhân",
                    ],
                );
                format!("{lead} {phrase} {}", pick(&mut rng, BRANDS))
            }
        };

        let tax_code = match entity {
            "THT" if rng.gen_bool(0.8) => None,
            "HKD" => match rng.gen_range(0..100) {
                0..=34 => None,
                35..=69 => tax_code(&province, row, total, tax_offset),
                _ => Some(personal_id(&province, &owner, row, id_offset)),
            },
            _ => tax_code(&province, row, total, tax_offset),
        };
        let phone = rng.gen_bool(0.92).then(|| phone(row, phone_offset));

        let address = if is_ward {
            match rng.gen_range(0..3) {
                0 => format!("Tổ dân phố {}", rng.gen_range(1..=25)),
                1 => format!(
                    "Số {}, ngõ {}",
                    rng.gen_range(1..=120),
                    rng.gen_range(1..=80)
                ),
                _ => format!("Khu phố {}", pick(&mut rng, PLACES)),
            }
        } else {
            match rng.gen_range(0..4) {
                0 => format!("Thôn {}", pick(&mut rng, PLACES)),
                1 => format!("Xóm {}", rng.gen_range(1..=15)),
                2 => format!("Ấp {}", pick(&mut rng, PLACES)),
                _ => format!(
                    "Số {}, thôn {}",
                    rng.gen_range(1..=200),
                    pick(&mut rng, PLACES)
                ),
            }
        };

        let r: f64 = rng.gen();
        let workers = match entity {
            "HKD" => 1 + (r.powf(2.5) * 25.0) as i64,
            "THT" => 3 + (r.powi(2) * 40.0) as i64,
            "HTX" => 7 + (r.powi(2) * 120.0) as i64,
            "LHHTX" => 20 + (r * 200.0) as i64,
            _ => 5 + (r.powf(2.2) * 300.0) as i64,
        };
        let workers = rng.gen_bool(0.95).then_some(workers);

        let earliest = match entity {
            "HTX" => 1960,
            "DNNVV" => 1991,
            "THT" => 1995,
            "LHHTX" => 2000,
            _ => 1975,
        };
        let span = 2025 - earliest;
        let founded = 2025 - (rng.gen::<f64>().powi(2) * f64::from(span)) as i32;
        let founded_year = rng.gen_bool(0.97).then_some(founded);
        let since = founded_year.unwrap_or(2000);

        let craft_village = if rng.gen_bool(0.18) {
            format!("Làng nghề {phrase} {place}")
        } else {
            String::new()
        };
        // Cooperatives of a craft village often carry it in their name ("HTX làng nghề gốm
        // …"): what a search for "lang nghe" finds. No extra draw, so a seed's data stay put.
        let name = if !craft_village.is_empty() && matches!(entity, "HTX" | "THT" | "LHHTX") {
            name.replacen(phrase, &format!("làng nghề {phrase}"), 1)
        } else {
            name
        };

        let ocop_p = if group == "NN1" { 0.12 } else { 0.05 };
        let (ocop_stars, ocop_year) = if rng.gen_bool(ocop_p) {
            let stars = *pick_weighted(&mut rng, &[(3u8, 65), (4, 30), (5, 5)]);
            (Some(stars), Some(rng.gen_range(since.max(2019)..=2025)))
        } else {
            (None, None)
        };
        let (typical_level, typical_year) = if rng.gen_bool(0.06) {
            let year = rng.gen_range(since.max(2012)..=2025);
            let level = if year < 2025 && rng.gen_bool(0.2) {
                "huyen"
            } else {
                *pick_weighted(
                    &mut rng,
                    &[("xa", 35), ("tinh", 40), ("khu_vuc", 18), ("quoc_gia", 7)],
                )
            };
            (Some(level.to_string()), Some(year))
        } else {
            (None, None)
        };

        let exports = rng.gen_bool(match entity {
            "DNNVV" => 0.15,
            "HTX" | "LHHTX" => 0.08,
            _ => 0.02,
        });
        let local_materials = rng.gen_bool(0.45);
        let woman_owned = if owner.female {
            rng.gen_bool(0.85)
        } else {
            rng.gen_bool(0.02)
        };
        let ethnic_owned = rng.gen_bool(0.06);
        let difficult_area = rng.gen_bool(if ethnic_owned { 0.7 } else { 0.08 });
        let status = *pick_weighted(
            &mut rng,
            &[
                (FacilityStatus::Active, 90),
                (FacilityStatus::Paused, 7),
                (FacilityStatus::Closed, 3),
            ],
        );
        let notes = if rng.gen_bool(0.2) {
            pick(&mut rng, NOTES).to_string()
        } else {
            String::new()
        };

        rows.push(FacilityData {
            name: nfc(&name),
            entity_type: Some(entity.to_string()),
            tax_code,
            representative: nfc(&owner.full),
            phone,
            address: nfc(&address),
            commune_code,
            trade_group: rng.gen_bool(0.97).then(|| group.to_string()),
            products: nfc(products),
            workers,
            founded_year,
            craft_village: nfc(&craft_village),
            ocop_stars,
            ocop_year,
            typical_level,
            typical_year,
            exports,
            local_materials,
            woman_owned,
            ethnic_owned,
            difficult_area,
            status,
            notes: nfc(&notes),
        });
    }
    rows
}

/// A trade group by weight, with its products.
fn pick_trade(rng: &mut StdRng) -> (&'static str, &'static [(&'static str, &'static str)]) {
    let total: u32 = TRADES.iter().map(|(_, w, _)| w).sum();
    let mut r = rng.gen_range(0..total);
    for &(g, w, items) in TRADES {
        if r < w {
            return (g, items);
        }
        r -= w;
    }
    (TRADES[0].0, TRADES[0].2)
}

/// The communes a demo fills: those of the profile's scope.
pub fn demo_communes(profile: &Profile) -> Vec<String> {
    profile.communes()
}

/// Rows as a CSV with the English column names (no BOM, LF), which `ctv facilities import`
/// reads back: for benchmarks and README examples.
pub fn write_csv(rows: &[FacilityData], w: impl Write) -> std::io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(FacilityField::ALL.iter().map(|f| f.key()))?;
    for d in rows {
        let input = FacilityInput::from_data(d);
        out.write_record(FacilityField::ALL.iter().map(|f| input.get(*f)))?;
    }
    out.flush()?;
    Ok(())
}

/// What collaborators write after a visit, by support category: (topic, difficulty raised,
/// need, advice given, agreed next step).
type ConsultText = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
const CONSULT_TEXTS: &[ConsultText] = &[
    (
        "KC01",
        "Thiếu thợ lành nghề, lao động trẻ bỏ đi làm khu công nghiệp",
        "Mở lớp truyền nghề cho 20–30 lao động tại địa phương",
        "Hướng dẫn đăng ký lớp đào tạo nghề theo chương trình khuyến công năm sau",
        "Cơ sở gửi danh sách học viên dự kiến",
    ),
    (
        "KC01",
        "Lao động mới chưa nắm kỹ thuật, tỷ lệ hàng lỗi cao",
        "Hỗ trợ thuê nghệ nhân hướng dẫn kỹ thuật",
        "Tư vấn kết hợp truyền nghề với nghệ nhân trong làng",
        "Liên hệ nghệ nhân, báo lại lịch mở lớp",
    ),
    (
        "KC02",
        "Chủ cơ sở chưa quen lập kế hoạch kinh doanh, sổ sách ghi chép thủ công",
        "Tham gia lớp tập huấn quản trị cơ sở sản xuất",
        "Giới thiệu lớp tập huấn quản trị do Trung tâm Khuyến công tổ chức",
        "Đăng ký tham gia lớp tập huấn quý tới",
    ),
    (
        "KC02",
        "Chưa biết quy trình làm hồ sơ đề nghị hỗ trợ",
        "Được hướng dẫn lập hồ sơ đề án khuyến công",
        "Hướng dẫn các bước lập đề án, mẫu biểu và hồ sơ pháp lý cần có",
        "Cơ sở chuẩn bị giấy đăng ký kinh doanh, báo giá thiết bị",
    ),
    (
        "KC03",
        "Quy trình sản xuất còn thủ công, năng suất thấp",
        "Xây dựng mô hình trình diễn kỹ thuật để các hộ trong làng học tập",
        "Tư vấn điều kiện làm mô hình trình diễn: đối ứng vốn, mặt bằng, cam kết chia sẻ",
        "Khảo sát mặt bằng, lập dự toán sơ bộ",
    ),
    (
        "KC04",
        "Máy móc cũ, hay hỏng, tốn điện",
        "Hỗ trợ mua máy móc thiết bị tiên tiến",
        "Tư vấn mức hỗ trợ tối đa 30% chi phí thiết bị theo nghị quyết của tỉnh; cần ba báo giá",
        "Cơ sở lấy ba báo giá thiết bị, gửi trước ngày hẹn",
    ),
    (
        "KC04",
        "Sấy bằng lò thủ công, sản phẩm không đều màu",
        "Hỗ trợ máy sấy công nghiệp",
        "Giới thiệu mô hình máy sấy đã hỗ trợ ở xã bên, hướng dẫn lập đề án ứng dụng máy móc",
        "Tham quan mô hình máy sấy, lập đề án",
    ),
    (
        "KC05",
        "Nước thải, khói bụi chưa được xử lý, hàng xóm phản ánh",
        "Tư vấn sản xuất sạch hơn, hỗ trợ hệ thống xử lý nước thải",
        "Hướng dẫn đánh giá sản xuất sạch hơn, giới thiệu đơn vị tư vấn môi trường",
        "Đăng ký đánh giá sản xuất sạch hơn",
    ),
    (
        "KC05",
        "Lò nung dùng than, chi phí nhiên liệu tăng",
        "Chuyển sang lò nung tiết kiệm năng lượng",
        "Tư vấn lò nung gas và mức hỗ trợ theo nội dung sản xuất sạch hơn",
        "Cơ sở tính toán chi phí chuyển đổi lò",
    ),
    (
        "KC06",
        "Bao bì, nhãn mác đơn giản, khó vào siêu thị",
        "Hỗ trợ thiết kế bao bì, nhãn hiệu",
        "Hướng dẫn đăng ký nhãn hiệu và tham gia chương trình OCOP",
        "Cơ sở chuẩn bị mẫu sản phẩm để thiết kế bao bì",
    ),
    (
        "KC06",
        "Sản phẩm chưa được công nhận sản phẩm CNNT tiêu biểu",
        "Tham gia bình chọn sản phẩm CNNT tiêu biểu cấp tỉnh",
        "Hướng dẫn hồ sơ dự thi và tiêu chí chấm điểm",
        "Nộp hồ sơ bình chọn trước thời hạn",
    ),
    (
        "KC07",
        "Đầu ra không ổn định, phụ thuộc thương lái",
        "Tham gia hội chợ, triển lãm để tìm khách hàng",
        "Giới thiệu hội chợ hàng CNNT tiêu biểu khu vực, hỗ trợ chi phí gian hàng",
        "Đăng ký gian hàng hội chợ",
    ),
    (
        "KC07",
        "Muốn xuất khẩu nhưng chưa có chứng nhận chất lượng",
        "Tư vấn xúc tiến xuất khẩu, chứng nhận chất lượng",
        "Giới thiệu chương trình xúc tiến thương mại và các chứng nhận cần có",
        "Liên hệ doanh nghiệp xuất khẩu được giới thiệu",
    ),
    (
        "KC08",
        "Chưa nắm được các chính sách hỗ trợ mới của Nghị định 235/2025",
        "Được cung cấp thông tin chính sách khuyến công",
        "Phổ biến nội dung hỗ trợ và đối tượng được hỗ trợ theo Nghị định 235/2025/NĐ-CP",
        "Gửi tài liệu chính sách qua Zalo",
    ),
    (
        "KC09",
        "Các hộ trong làng sản xuất nhỏ lẻ, cạnh tranh nhau",
        "Liên kết thành hợp tác xã để cùng tiêu thụ",
        "Tư vấn thủ tục thành lập hợp tác xã và lợi ích liên kết",
        "Họp các hộ trong làng bàn việc liên kết",
    ),
    (
        "KC10",
        "Hộ kinh doanh muốn lên doanh nghiệp nhưng ngại thủ tục",
        "Hỗ trợ thành lập doanh nghiệp",
        "Hướng dẫn thủ tục đăng ký doanh nghiệp và ưu đãi cho doanh nghiệp nhỏ",
        "Cơ sở chuẩn bị hồ sơ đăng ký doanh nghiệp",
    ),
    (
        "KC11",
        "Nghệ nhân lớn tuổi, chưa có người kế nghiệp",
        "Hỗ trợ nghệ nhân mở lớp truyền nghề, lưu giữ kỹ thuật",
        "Tư vấn hồ sơ đề nghị hỗ trợ nghệ nhân bảo tồn nghề",
        "Lập danh sách học trò theo học nghệ nhân",
    ),
    (
        "KC12",
        "Chưa bán hàng trực tuyến, chưa dùng phần mềm quản lý",
        "Hỗ trợ chuyển đổi số, bán hàng trên sàn thương mại điện tử",
        "Hướng dẫn mở gian hàng trên sàn thương mại điện tử, giới thiệu lớp tập huấn chuyển đổi số",
        "Đăng ký lớp chuyển đổi số",
    ),
];

/// Consultation modes with their share: most work is done on site or by phone.
const CONSULT_MODES: &[(&str, u32)] = &[
    ("TRUC_TIEP", 45),
    ("DIEN_THOAI", 25),
    ("TRUC_TUYEN", 15),
    ("HOI_NGHI", 8),
    ("TAI_CO_QUAN", 7),
];

/// Support categories a facility of each trade group asks about most.
fn topic_bias(group: Option<&str>) -> &'static [&'static str] {
    match group {
        Some("NN1") => &["KC04", "KC06", "KC07", "KC05"],
        Some("NN2") => &["KC11", "KC06", "KC07", "KC01"],
        Some("NN4") => &["KC04", "KC01", "KC06", "KC05"],
        Some("NN5") => &["KC07", "KC12"],
        _ => &["KC02", "KC04", "KC08"],
    }
}

const CLOSING_NOTES: &[&str] = &[
    "Đã hoàn thiện hồ sơ, gửi Trung tâm Khuyến công",
    "Cơ sở chưa có nhu cầu, hẹn liên hệ lại sau",
    "Đã gọi điện hướng dẫn, cơ sở tự thực hiện",
    "Cơ sở đã tham gia lớp tập huấn",
    "Đã gửi tài liệu qua Zalo",
];

/// `n` consultations with the given facilities (ids, with their trade groups), over the
/// three years up to `today`, the same for the same seed. Most follow-ups due more than two
/// weeks ago are done (often by the next visit); the first rows make sure the agenda shows
/// something overdue, due today, this week and later. Every row passes validation (tested).
pub fn generate_consultations(
    facility_ids: &[String],
    trade_groups: &[Option<String>],
    n: usize,
    seed: u64,
    today: chrono::NaiveDate,
) -> Vec<crate::store::BulkConsultation> {
    use crate::domain::consultation::{week_end, ConsultationData};
    use crate::store::{BulkConsultation, BulkFollowUp};
    use chrono::Duration;

    if facility_ids.is_empty() {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC0_5017);
    let days = |d: i64| Duration::days(d);
    // (days before today, follow-up days after the consultation) of the showcase rows.
    let mut showcase: Vec<(i64, Option<i64>)> = vec![
        (30, Some(20)),
        (21, Some(14)),
        (9, Some(7)),
        (7, Some(7)),
        (3, Some(3)),
        (1, Some(40)),
        (0, Some(60)),
    ];
    let sunday = (week_end(today) - today).num_days();
    if sunday > 0 {
        showcase.push((2, Some(2 + sunday)));
        showcase.push((0, Some(1)));
    }
    let mut rows: Vec<BulkConsultation> = Vec::with_capacity(n);
    for i in 0..n {
        let f = ((rng.gen::<f64>().powf(1.3)) * facility_ids.len() as f64) as usize;
        let f = f.min(facility_ids.len() - 1);
        let (ago, follow) = match showcase.get(i) {
            Some(&(ago, fu)) => (ago, fu),
            None => {
                let ago = (rng.gen::<f64>().powf(1.6) * 3.0 * 365.0) as i64;
                let fu = rng.gen_bool(0.4).then(|| {
                    *[7i64, 14, 14, 30, 30, 45, 60, 90]
                        .choose(&mut rng)
                        .unwrap_or(&30)
                });
                (ago, fu)
            }
        };
        let date = today - days(ago);
        let group = trade_groups.get(f).and_then(|g| g.as_deref());
        let bias = topic_bias(group);
        let mut topics: Vec<String> = Vec::new();
        let k = *pick_weighted(&mut rng, &[(0usize, 10), (1, 60), (2, 25), (3, 5)]);
        for j in 0..k {
            let t = if j == 0 || rng.gen_bool(0.5) {
                pick(&mut rng, bias)
            } else {
                CONSULT_TEXTS.choose(&mut rng).map_or("KC08", |t| t.0)
            };
            topics.push(t.to_string());
        }
        let list = &crate::refdata::codes().support_categories;
        topics.sort_by_key(|c| list.items().iter().position(|i| &i.code == c));
        topics.dedup();
        let primary = topics.first().map_or("KC08", String::as_str);
        let texts: Vec<&ConsultText> = CONSULT_TEXTS.iter().filter(|t| t.0 == primary).collect();
        let &&(_, diff, need, advice, next) = texts.choose(&mut rng).unwrap_or(&&CONSULT_TEXTS[0]);
        let mut difficulties = if rng.gen_bool(0.8) {
            diff.to_string()
        } else {
            String::new()
        };
        if !difficulties.is_empty() && rng.gen_bool(0.15) {
            // A second difficulty on its own line, as people write visit notes.
            let other = CONSULT_TEXTS.choose(&mut rng).map_or("", |t| t.1);
            if other != diff {
                difficulties = format!("{difficulties}\n{other}");
            }
        }
        let needs = if rng.gen_bool(0.85) { need } else { "" };
        let advice = if rng.gen_bool(0.9) { advice } else { "" };
        let next_step = if follow.is_some() || rng.gen_bool(0.3) {
            next
        } else {
            ""
        };
        let follow_up_date = follow.map(|d| date + days(d));
        let mode = *pick_weighted(&mut rng, CONSULT_MODES);
        // Recorded on the day, during office hours (Vietnam time); today's rows just now.
        let recorded_at = (ago > 0)
            .then(|| date.and_hms_opt(rng.gen_range(8..17), rng.gen_range(0..60), 0))
            .flatten()
            .map(|t| {
                chrono::DateTime::from_naive_utc_and_offset(t - Duration::hours(7), chrono::Utc)
            });
        rows.push(BulkConsultation {
            data: ConsultationData {
                facility_id: facility_ids[f].clone(),
                date,
                mode: mode.to_string(),
                topics,
                difficulties: nfc(&difficulties),
                needs: nfc(needs),
                advice: nfc(advice),
                next_step: nfc(next_step),
                follow_up_date,
            },
            recorded_at,
            follow_up: BulkFollowUp::Open,
        });
    }

    // Each facility's visits in date order: a follow-up is often done by the next one.
    let mut by_facility: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_facility
            .entry(r.data.facility_id.as_str())
            .or_default()
            .push(i);
    }
    let mut next_of = vec![None; rows.len()];
    for list in by_facility.values_mut() {
        list.sort_by_key(|&i| (rows[i].data.date, i));
        for w in list.windows(2) {
            next_of[w[0]] = Some(w[1]);
        }
    }
    let showcase_rows = showcase.len().min(n);
    for i in showcase_rows..rows.len() {
        let Some(due) = rows[i].data.follow_up_date else {
            continue;
        };
        let age = (today - due).num_days();
        // A few slip through: most collaborators close or reschedule within days.
        let done = if age > 14 {
            rng.gen_bool(0.997)
        } else if age > 0 {
            rng.gen_bool(0.8)
        } else {
            false
        };
        if done {
            let outcome = next_of[i].filter(|&j| {
                rows[j].data.date <= due + days(30) && rows[j].data.date > rows[i].data.date
            });
            let note = if outcome.is_some() && rng.gen_bool(0.7) {
                String::new()
            } else {
                pick(&mut rng, CLOSING_NOTES).to_string()
            };
            rows[i].follow_up = BulkFollowUp::Done { outcome, note };
        }
    }
    rows
}

// ------------------------------------------------------------------------------------------
// Proposals and đề án in every stage

/// What the demo's proposals reached, stage by stage, so that F5, the đề án page and
/// `ctv plan` can be tried: drafts, proposed, returned for revision, approved, under way
/// (with monitoring visits and an advance, one past its planned end), accepted (with
/// payments and results), refused, withdrawn and stopped. Written through the store as the
/// province would, so every record is a real one (change log, history, money rules).
/// The current profile must be the province's. Returns how many proposals were made.
pub fn add_demo_proposals(
    store: &mut crate::store::Store,
    facility_ids: &[String],
    n: usize,
    seed: u64,
) -> crate::store::Result<usize> {
    use crate::domain::project::{AcceptanceInput, PaymentInput, ResultInput, VisitInput};
    use crate::domain::proposal::{MoveInput, ProposalInput, ProposalStatus as S};
    let mut rng = StdRng::seed_from_u64(seed ^ 0x05EE_DDEA);
    let today = store.today();
    let day = |back: i64| {
        (today - chrono::Duration::days(back))
            .format("%d/%m/%Y")
            .to_string()
    };
    let year = chrono::Datelike::year(&today);
    let categories = [
        "KC01", "KC02", "KC03", "KC04", "KC05", "KC06", "KC07", "KC08",
    ];
    let titles = [
        "Hỗ trợ máy móc thiết bị tiên tiến vào sản xuất",
        "Xây dựng mô hình trình diễn kỹ thuật",
        "Đào tạo nghề, truyền nghề cho lao động",
        "Hỗ trợ xây dựng thương hiệu và bao bì sản phẩm",
        "Tham gia hội chợ, triển lãm sản phẩm",
        "Ứng dụng sản xuất sạch hơn",
    ];
    // Stages in turn, so a small demo still has every one.
    const STAGES: [&str; 11] = [
        "draft",
        "proposed",
        "returned",
        "approved",
        "under_way",
        "overdue",
        "accepted",
        "refused",
        "withdrawn",
        "stopped",
        "under_way",
    ];
    let mut made = 0;
    for (i, fid) in facility_ids.iter().take(n).enumerate() {
        let stage = STAGES[i % STAGES.len()];
        let support: i64 = rng.gen_range(4..=40) * 10_000_000;
        let counterpart: i64 = support * rng.gen_range(1..=3);
        let input = ProposalInput {
            facility_id: fid.clone(),
            plan_year: (if stage == "draft" { year + 1 } else { year }).to_string(),
            category: categories[rng.gen_range(0..categories.len())].into(),
            funding: if rng.gen_bool(0.3) { "KCQG" } else { "KCDP" }.into(),
            title: titles[rng.gen_range(0..titles.len())].into(),
            total_cost: (support + counterpart).to_string(),
            support: support.to_string(),
            counterpart: counterpart.to_string(),
            other_sources: "0".into(),
            expected_jobs: rng.gen_range(2..=30).to_string(),
            ..Default::default()
        };
        let (p, _) = store.add_proposal(&input)?;
        made += 1;
        if stage == "draft" {
            continue;
        }
        let id = p.id.clone();
        let version = |s: &crate::store::Store| -> crate::store::Result<i64> {
            s.proposal(&id)?
                .map(|p| p.version)
                .ok_or_else(|| crate::store::StoreError::NotFound(id.clone()))
        };
        store.propose(&id, version(store)?)?;
        let mv = |s: &mut crate::store::Store, to: S, m: &MoveInput| -> crate::store::Result<()> {
            let v = version(s)?;
            s.move_proposal_with(&id, v, to, m).map(drop)
        };
        match stage {
            "proposed" => continue,
            "returned" => {
                mv(
                    store,
                    S::TraLai,
                    &MoveInput::with_reason("Bổ sung báo giá thiết bị"),
                )?;
                continue;
            }
            "refused" => {
                mv(
                    store,
                    S::KhongDuyet,
                    &MoveInput::with_reason("Chưa đủ điều kiện hỗ trợ"),
                )?;
                continue;
            }
            "withdrawn" => {
                mv(
                    store,
                    S::Rut,
                    &MoveInput::with_reason("Cơ sở không còn nhu cầu"),
                )?;
                continue;
            }
            _ => {}
        }
        // Approved at 80–100 % of what was asked, in one of two batches.
        let approved = support / 10 * rng.gen_range(8..=10);
        let approval = MoveInput {
            approved_support: approved.to_string(),
            decision_no: format!("{}/QĐ-TTKC", 100 + i),
            decision_date: day(120),
            batch: if i % 2 == 0 { "Đợt 1" } else { "Đợt 2" }.into(),
            ..Default::default()
        };
        mv(store, S::PheDuyet, &approval)?;
        if stage == "approved" {
            continue;
        }
        let start = MoveInput {
            start_date: day(100),
            implementing_unit: "Cơ sở thụ hưởng".into(),
            planned_end: if stage == "overdue" {
                day(10)
            } else {
                day(-90)
            },
            ..Default::default()
        };
        mv(store, S::DangThucHien, &start)?;
        if stage == "stopped" {
            mv(
                store,
                S::Dung,
                &MoveInput::with_reason("Cơ sở ngừng sản xuất"),
            )?;
            continue;
        }
        let visit = VisitInput {
            date: day(60),
            visitor: "Cán bộ Trung tâm Khuyến công".into(),
            checked: "Tiến độ lắp đặt thiết bị".into(),
            progress_pct: rng.gen_range(30..=90).to_string(),
            findings: "Đúng tiến độ".into(),
            follow_up_date: if stage == "accepted" {
                String::new()
            } else {
                day(-14)
            },
        };
        store.add_visit(&id, &visit)?;
        let advance = approved / 2;
        store.add_payment(
            &id,
            &PaymentInput {
                date: day(50),
                amount: advance.to_string(),
                kind: "tam-ung".into(),
                doc_no: format!("TU-{:03}", i),
                notes: String::new(),
                facility: String::new(),
            },
        )?;
        if stage != "accepted" {
            continue;
        }
        store.add_acceptance(
            &id,
            &AcceptanceInput {
                date: day(20),
                units: "Sở Công Thương, UBND xã, cơ sở thụ hưởng".into(),
                result: "đạt".into(),
                actual_total: (approved + counterpart).to_string(),
                actual_support: approved.to_string(),
                actual_counterpart: counterpart.to_string(),
                actual_other: "0".into(),
                notes: String::new(),
            },
        )?;
        store.add_payment(
            &id,
            &PaymentInput {
                date: day(15),
                amount: (approved - advance).to_string(),
                kind: "quyet-toan".into(),
                doc_no: format!("QT-{:03}", i),
                notes: String::new(),
                facility: String::new(),
            },
        )?;
        store.add_result(
            &id,
            &ResultInput {
                stage: "nghiem-thu".into(),
                date: day(20),
                jobs_created: rng.gen_range(2..=20).to_string(),
                workers_trained: rng.gen_range(5..=40).to_string(),
                revenue_before: (support * 5).to_string(),
                revenue_after: (support * 6).to_string(),
                products: "Sản phẩm mới theo đề án".into(),
                equipment_in_use: "Thiết bị được hỗ trợ".into(),
                notes: String::new(),
                facility: String::new(),
            },
        )?;
    }
    Ok(made)
}

// ------------------------------------------------------------------------------------------
// Activities with attendees

/// A few activities with attendees so F10, the facility page and `ctv activity` can be
/// tried: in the commune of the first facilities, a training course (tập huấn) with a dozen
/// facilities, named people (women, ethnic minorities) and a count of others; a fair with
/// some facilities; an outreach meeting counted only. Written through the store (change
/// log, scope). Returns how many were made.
pub fn add_demo_activities(
    store: &mut crate::store::Store,
    facility_ids: &[String],
    seed: u64,
) -> crate::store::Result<usize> {
    use crate::domain::activity::{ActivityInput, AttendeeInput};
    let mut rng = StdRng::seed_from_u64(seed ^ 0xAC71_F17E);
    let today = store.today();
    let day = |back: i64| {
        (today - chrono::Duration::days(back))
            .format("%d/%m/%Y")
            .to_string()
    };
    // The commune with the most facilities among the first 300, and its facilities.
    let mut by_commune: Vec<(String, String)> = Vec::new();
    for id in facility_ids.iter().take(300) {
        if let Some(f) = store.facility(id)? {
            by_commune.push((f.data.commune_code, f.id));
        }
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (c, _) in &by_commune {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    let Some(commune) = counts
        .iter()
        .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
        .map(|(c, _)| c.to_string())
    else {
        return Ok(0);
    };
    if store.check_scope(&commune).is_err() {
        return Ok(0);
    }
    let here: Vec<String> = by_commune
        .into_iter()
        .filter(|(c, _)| *c == commune)
        .map(|(_, id)| id)
        .collect();
    let facility = |id: &String| AttendeeInput {
        facility_id: id.clone(),
        ..Default::default()
    };
    let people = [
        ("Nguyễn Thị Hoa", "NU", false),
        ("Lò Văn Sùng", "NAM", true),
        ("Hà Thị Mai", "NU", true),
        ("Trần Văn Bình", "NAM", false),
        ("Phạm Thị Lan", "NU", false),
        ("Đinh Thị Hằng", "NU", true),
    ];
    let mut course: Vec<AttendeeInput> = here.iter().take(12).map(facility).collect();
    for (i, (name, gender, minority)) in people.iter().enumerate() {
        course.push(AttendeeInput {
            facility_id: here.get(i).cloned().unwrap_or_default(),
            person_name: (*name).into(),
            gender: (*gender).into(),
            ethnic_minority: *minority,
        });
    }
    let unnamed = rng.gen_range(5..=15);
    let inputs = [
        ActivityInput {
            kind: "TAP_HUAN".into(),
            title: "Lớp tập huấn kỹ thuật đan lát và thiết kế mẫu mã".into(),
            start_date: day(40),
            end_date: day(38),
            commune_code: commune.clone(),
            place: "Hội trường UBND xã".into(),
            organiser: "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp".into(),
            cost: (rng.gen_range(3..=9) * 10_000_000).to_string(),
            unnamed_count: unnamed.to_string(),
            unnamed_women: (unnamed / 2).to_string(),
            unnamed_minority: (unnamed / 4).to_string(),
            attendees: course,
            ..Default::default()
        },
        ActivityInput {
            kind: "HOI_CHO".into(),
            title: "Hội chợ hàng công nghiệp nông thôn tiêu biểu".into(),
            start_date: day(20),
            end_date: day(17),
            commune_code: commune.clone(),
            place: "Trung tâm Hội chợ Triển lãm tỉnh".into(),
            organiser: "Sở Công Thương".into(),
            cost: "25000000".into(),
            attendees: here.iter().rev().take(4).map(facility).collect(),
            ..Default::default()
        },
        ActivityInput {
            kind: "TUYEN_TRUYEN".into(),
            title: "Họp thôn tuyên truyền chính sách khuyến công".into(),
            start_date: day(5),
            commune_code: commune,
            place: "Nhà văn hóa thôn".into(),
            unnamed_count: "42".into(),
            unnamed_women: "25".into(),
            unnamed_minority: "6".into(),
            ..Default::default()
        },
    ];
    let mut made = 0;
    for input in &inputs {
        store.add_activity(input)?;
        made += 1;
    }
    Ok(made)
}

/// The craft-village register and products of the demo: villages adopted from the
/// facilities' free-text names (most then recognised, with a decision), and the old OCOP and
/// typical-product fields carried into products with titles — at most `max` products, and
/// the first facility's with an OCOP certificate already expired. Returns (villages,
/// products).
pub fn add_demo_register(
    store: &mut crate::store::Store,
    facility_ids: &[String],
    max: usize,
) -> crate::store::Result<(usize, usize)> {
    use crate::domain::product::TitleInput;
    let (created, _) = store.adopt_villages()?;
    let villages = store.list_villages(None, false)?;
    for (k, (v, version)) in villages.iter().enumerate() {
        // Every fourth stays "not recognised", so both kinds show.
        if k % 4 == 3 {
            continue;
        }
        let mut input = crate::store::village_input(v);
        input.status = "CONG_NHAN".into();
        input.traditional = if k % 2 == 0 { "1" } else { "0" }.into();
        input.decision_no = format!("{}/QĐ-UBND", 100 + k);
        input.decision_date = format!("15/3/{}", 2010 + (k % 12));
        store.edit_village(&v.id, *version, &input)?;
    }
    let today = store.today();
    let year = chrono::Datelike::year(&today);
    let mut made = 0;
    for (k, id) in facility_ids.iter().enumerate() {
        if made >= max {
            break;
        }
        let Some(f) = store.facility(id)? else {
            continue;
        };
        let d = &f.data;
        let mut titles = Vec::new();
        if let (Some(stars), Some(y)) = (d.ocop_stars, d.ocop_year) {
            titles.push(TitleInput {
                kind: "OCOP".into(),
                year: y.to_string(),
                level: stars.to_string(),
                certificate: format!("{}/GCN-OCOP", 1000 + k),
                issued_date: format!("1/6/{y}"),
                expiry_date: String::new(),
            });
        }
        if let (Some(level), Some(y)) = (d.typical_level.as_deref(), d.typical_year) {
            if level != "xa" {
                titles.push(TitleInput {
                    kind: "TIEU_BIEU".into(),
                    year: y.to_string(),
                    level: level.into(),
                    ..Default::default()
                });
            }
        }
        if k == 0 {
            // Issued four years ago: the certificate has run out.
            titles.push(TitleInput {
                kind: "OCOP".into(),
                year: (year - 4).to_string(),
                level: "3".into(),
                issued_date: format!("1/3/{}", year - 4),
                ..Default::default()
            });
        }
        if titles.is_empty() {
            continue;
        }
        let name = d
            .products
            .split([',', ';'])
            .map(str::trim)
            .find(|p| !p.is_empty())
            .unwrap_or(&d.name)
            .to_string();
        store.add_product(id, &name, "", &titles)?;
        made += 1;
    }
    Ok((created, made))
}

/// The province's targets for this year (the dashboard shows them against what is achieved).
pub fn add_demo_targets(store: &mut crate::store::Store) -> crate::store::Result<()> {
    use crate::domain::report::{Target, TargetKey};
    use chrono::Datelike;
    let year = store.today().year();
    for (key, value) in [
        (TargetKey::FacilitiesSupported, 40),
        (TargetKey::Money, 3_000_000_000),
        (TargetKey::TrainingClasses, 12),
        (TargetKey::TypicalProducts, 6),
    ] {
        store.set_target(&Target { year, key, value })?;
    }
    Ok(())
}
