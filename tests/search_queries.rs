//! The search's ranking on realistic names: craft villages (làng nghề) and facilities with
//! their legal forms, each query with the result a clerk expects on top, and pairs that must
//! rank one above the other (whole words in order before scattered words, words inside a
//! legal form, or letters found inside other words).

use ctv::search::{Doc, SearchIndex};

/// (name, representative, products, commune, phone, tax number)
const DOCS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "Hợp tác xã gốm sứ Bát Tràng",
        "Lê Văn Hùng",
        "gốm sứ",
        "Xã Bát Tràng",
        "0912 345 001",
        "0100109106",
    ),
    (
        "Làng nghề gốm Bát Tràng",
        "Phạm Minh Hải",
        "gốm",
        "Xã Bát Tràng",
        "0912 345 002",
        "",
    ),
    (
        "Cơ sở gốm Minh Hải",
        "Phạm Minh Hải",
        "gốm",
        "Xã Bát Tràng",
        "0913 100 200",
        "",
    ),
    (
        "Làng nghề lụa Vạn Phúc",
        "Nguyễn Thị Lan",
        "dệt lụa",
        "Phường Vạn Phúc",
        "0904 111 222",
        "",
    ),
    (
        "Công ty TNHH lụa tơ tằm Hà Đông",
        "Trần Văn Phúc",
        "lụa",
        "Phường Hà Đông",
        "0904 111 333",
        "",
    ),
    (
        "Hợp tác xã mây tre đan Phú Vinh",
        "Trần Văn Tuấn",
        "mây tre đan",
        "Xã Phú Nghĩa",
        "0975 222 333",
        "",
    ),
    (
        "Cơ sở đan lát Vinh Phú",
        "Đỗ Thị Mai",
        "mây tre đan",
        "Xã Phú Lâm",
        "0975 222 444",
        "",
    ),
    (
        "Cơ sở chổi Luân Hà",
        "Lê Văn Luân",
        "chổi đót",
        "Xã Hà Hồi",
        "0243 222 555",
        "",
    ),
    (
        "Làng nghề nón lá Chuông",
        "Nguyễn Thị Hương",
        "nón lá",
        "Xã Phương Trung",
        "0988 000 111",
        "",
    ),
    (
        "Hợp tác xã đúc đồng Ngũ Xã",
        "Nguyễn Văn Thành",
        "đúc đồng",
        "Phường Trúc Bạch",
        "0243 826 000",
        "",
    ),
    (
        "Hộ kinh doanh đồng hồ Ngũ Phúc",
        "Lê Ngũ",
        "sửa đồng hồ",
        "Phường Trúc Bạch",
        "0243 826 111",
        "",
    ),
    (
        "Hợp tác xã chiếu cói Kim Sơn",
        "Phạm Văn Cói",
        "chiếu cói",
        "Thị trấn Phát Diệm",
        "0229 386 000",
        "",
    ),
    (
        "Cơ sở bánh tráng Phú Hòa Đông",
        "Võ Thị Bé",
        "bánh tráng",
        "Xã Phú Hòa Đông",
        "0283 790 000",
        "",
    ),
    (
        "Doanh nghiệp tư nhân nước mắm Phú Quốc",
        "Huỳnh Văn Mười",
        "nước mắm",
        "Thị trấn Dương Đông",
        "0297 384 000",
        "",
    ),
    (
        "Công ty TNHH đồ gỗ Đồng Kỵ",
        "Nguyễn Văn Kỵ",
        "đồ gỗ mỹ nghệ",
        "Phường Đồng Kỵ",
        "0222 383 000",
        "",
    ),
    (
        "Hợp tác xã thêu Quất Động",
        "Lê Thị Thêu",
        "thêu ren",
        "Xã Quất Động",
        "0243 385 000",
        "",
    ),
    (
        "Tổ hợp tác thêu ren Văn Lâm",
        "Đào Thị Ren",
        "thêu ren",
        "Xã Văn Lâm",
        "0228 386 000",
        "",
    ),
    (
        "Cơ sở sản xuất bánh đa Trần Văn Bình",
        "Trần Văn Bình",
        "bánh đa",
        "Xã Đa Tốn",
        "0912 777 888",
        "",
    ),
    (
        "Hộ kinh doanh Nguyễn Văn Đức",
        "Nguyễn Văn Đức",
        "mộc",
        "Xã Đông Anh",
        "0915 123 456",
        "",
    ),
    (
        "Cơ sở mộc Văn Đức",
        "Nguyễn Thị An",
        "mộc",
        "Xã Vân Hà",
        "0915 654 321",
        "",
    ),
    (
        "Cơ sở dược liệu Nguyễn Văn",
        "Nguyễn Văn Dược",
        "dược liệu",
        "Xã Ninh Hiệp",
        "0915 000 999",
        "",
    ),
    (
        "Công ty cổ phần gốm Chu Đậu",
        "Vũ Văn Đậu",
        "gốm",
        "Xã Thái Tân",
        "0220 372 000",
        "",
    ),
    (
        "Làng nghề gốm Phù Lãng",
        "Nguyễn Văn Lãng",
        "gốm",
        "Xã Phù Lãng",
        "0222 386 111",
        "",
    ),
    (
        "Hợp tác xã gốm Thổ Hà",
        "Ngô Văn Hà",
        "gốm",
        "Xã Vân Hà",
        "0204 386 000",
        "",
    ),
    (
        "Cơ sở bánh đa nem Thổ Hà",
        "Ngô Thị Nem",
        "bánh đa nem",
        "Xã Vân Hà",
        "0204 386 111",
        "",
    ),
    (
        "Công ty TNHH MTV Hải Nam",
        "Hoàng Văn Nam",
        "hải sản khô",
        "Phường Hải Nam",
        "0258 000 111",
        "",
    ),
    (
        "Cơ sở Hợp Tác Phát",
        "Trương Văn Phát",
        "cơ khí",
        "Xã Tân Phát",
        "0912 000 333",
        "",
    ),
    (
        "Cơ sở kinh doanh gạo Tám Xoan",
        "Đinh Văn Tám",
        "gạo",
        "Xã Hải Hậu",
        "0228 000 444",
        "",
    ),
    (
        "Cơ sở bánh ít Quy Nhơn",
        "Trần Thị Ít",
        "bánh ít",
        "Phường Quy Nhơn",
        "0256 000 555",
        "",
    ),
    (
        "Hộ kinh doanh bánh cốm Hà Nội",
        "Nguyễn Thị Cốm",
        "bánh cốm",
        "Phường Hàng Than",
        "0243 000 666",
        "",
    ),
    (
        "Cơ sở rượu Làng Vân",
        "Nguyễn Văn Vân",
        "rượu",
        "Xã Vân Hà",
        "0204 000 777",
        "",
    ),
    (
        "Cơ sở tương Bần",
        "Phạm Thị Tương",
        "tương",
        "Thị trấn Bần Yên Nhân",
        "0221 000 888",
        "",
    ),
    (
        "Làng nghề nước mắm Cát Hải",
        "Bùi Văn Hải",
        "nước mắm",
        "Thị trấn Cát Hải",
        "0225 000 999",
        "",
    ),
    (
        "Cơ sở kẹo dừa Bến Tre",
        "Lê Văn Dừa",
        "kẹo dừa",
        "Phường Bến Tre",
        "0275 000 111",
        "",
    ),
    (
        "Hợp tác xã dệt thổ cẩm Mai Châu",
        "Hà Thị Châu",
        "dệt thổ cẩm",
        "Thị trấn Mai Châu",
        "0218 000 222",
        "",
    ),
    (
        "Cơ sở sơn mài Tương Bình Hiệp",
        "Trần Văn Hiệp",
        "sơn mài",
        "Phường Tương Bình Hiệp",
        "0274 000 333",
        "",
    ),
    (
        "Làng nghề đá mỹ nghệ Non Nước",
        "Huỳnh Bá Nước",
        "đá mỹ nghệ",
        "Phường Hòa Hải",
        "0236 000 444",
        "",
    ),
    (
        "Cơ sở bánh chưng Tranh Khúc",
        "Nguyễn Văn Khúc",
        "bánh chưng",
        "Xã Duyên Hà",
        "0243 000 555",
        "",
    ),
    (
        "Làng nghề hương Quảng Phú Cầu",
        "Nguyễn Văn Cầu",
        "hương nhang",
        "Xã Quảng Phú Cầu",
        "0243 000 777",
        "",
    ),
    (
        "Hợp tác xã rèn Đa Sỹ",
        "Nguyễn Văn Sỹ",
        "rèn",
        "Phường Kiến Hưng",
        "0243 000 888",
        "",
    ),
    (
        "Cơ sở miến dong Cự Đà",
        "Đỗ Văn Đà",
        "miến dong",
        "Xã Cự Khê",
        "0243 000 999",
        "",
    ),
    (
        "Làng nghề mộc Kim Bồng",
        "Huỳnh Văn Bồng",
        "mộc",
        "Xã Cẩm Kim",
        "0235 000 111",
        "",
    ),
    (
        "Cơ sở trống Đọi Tam",
        "Trần Văn Tam",
        "trống",
        "Xã Đọi Sơn",
        "0226 000 222",
        "",
    ),
    (
        "Hợp tác xã chè Tân Cương",
        "Nguyễn Thị Cương",
        "chè",
        "Xã Tân Cương",
        "0208 000 333",
        "",
    ),
    (
        "Cơ sở bún Phú Đô",
        "Nguyễn Văn Đô",
        "bún",
        "Phường Phú Đô",
        "0243 000 444",
        "",
    ),
    (
        "Cơ sở Hòa Bình",
        "Lê Văn Bình",
        "đan lát",
        "Xã Hòa Bình",
        "0218 111 000",
        "",
    ),
    (
        "Cơ sở Hoàng Bình An",
        "Hoàng Văn An",
        "đan lát",
        "Xã Bình An",
        "0218 111 222",
        "",
    ),
    (
        "Hộ kinh doanh Lê Thị Hoa",
        "Lê Thị Hoa",
        "hoa tươi",
        "Xã Mê Linh",
        "0243 111 333",
        "",
    ),
    (
        "Công ty TNHH Thủ công mỹ nghệ Sao Mai",
        "Đặng Văn Mai",
        "thủ công mỹ nghệ",
        "Xã Phú Túc",
        "0901 360 597",
        "0136059794",
    ),
    (
        "Hộ kinh doanh mộc Sao Khuê",
        "Đặng Văn Khuê",
        "mộc",
        "Xã Phú Túc",
        "0136 059 700",
        "0136059800",
    ),
];

/// (query, the name expected on top)
const TOP: &[(&str, &str)] = &[
    ("gom bat trang", "Làng nghề gốm Bát Tràng"),
    ("gốm sứ bát tràng", "Hợp tác xã gốm sứ Bát Tràng"),
    ("lua van phuc", "Làng nghề lụa Vạn Phúc"),
    ("may tre dan phu vinh", "Hợp tác xã mây tre đan Phú Vinh"),
    ("non la chuong", "Làng nghề nón lá Chuông"),
    ("duc dong ngu xa", "Hợp tác xã đúc đồng Ngũ Xã"),
    ("chieu coi kim son", "Hợp tác xã chiếu cói Kim Sơn"),
    ("banh trang phu hoa dong", "Cơ sở bánh tráng Phú Hòa Đông"),
    (
        "nuoc mam phu quoc",
        "Doanh nghiệp tư nhân nước mắm Phú Quốc",
    ),
    ("go dong ky", "Công ty TNHH đồ gỗ Đồng Kỵ"),
    ("dong ky", "Công ty TNHH đồ gỗ Đồng Kỵ"),
    ("theu quat dong", "Hợp tác xã thêu Quất Động"),
    ("theu ren van lam", "Tổ hợp tác thêu ren Văn Lâm"),
    ("gom chu dau", "Công ty cổ phần gốm Chu Đậu"),
    ("gom phu lang", "Làng nghề gốm Phù Lãng"),
    ("phulang", "Làng nghề gốm Phù Lãng"),
    ("gom tho ha", "Hợp tác xã gốm Thổ Hà"),
    ("banh da nem", "Cơ sở bánh đa nem Thổ Hà"),
    ("co so banh da tran", "Cơ sở sản xuất bánh đa Trần Văn Bình"),
    ("nguyen van duc", "Hộ kinh doanh Nguyễn Văn Đức"),
    ("Nguyễn Văn Đức", "Hộ kinh doanh Nguyễn Văn Đức"),
    ("nguyenvanduc", "Hộ kinh doanh Nguyễn Văn Đức"),
    ("hanoi", "Hộ kinh doanh bánh cốm Hà Nội"),
    ("qnhon", "Cơ sở bánh ít Quy Nhơn"),
    ("banh it quy nhon", "Cơ sở bánh ít Quy Nhơn"),
    ("ruou lang van", "Cơ sở rượu Làng Vân"),
    ("tuong ban", "Cơ sở tương Bần"),
    ("nuoc mam cat hai", "Làng nghề nước mắm Cát Hải"),
    ("keo dua ben tre", "Cơ sở kẹo dừa Bến Tre"),
    ("tho cam mai chau", "Hợp tác xã dệt thổ cẩm Mai Châu"),
    ("son mai tuong binh hiep", "Cơ sở sơn mài Tương Bình Hiệp"),
    ("da my nghe non nuoc", "Làng nghề đá mỹ nghệ Non Nước"),
    ("banh chung tranh khuc", "Cơ sở bánh chưng Tranh Khúc"),
    ("huong quang phu cau", "Làng nghề hương Quảng Phú Cầu"),
    ("ren da sy", "Hợp tác xã rèn Đa Sỹ"),
    ("mien dong cu da", "Cơ sở miến dong Cự Đà"),
    ("moc kim bong", "Làng nghề mộc Kim Bồng"),
    ("trong doi tam", "Cơ sở trống Đọi Tam"),
    ("che tan cuong", "Hợp tác xã chè Tân Cương"),
    ("bun phu do", "Cơ sở bún Phú Đô"),
    ("hoa binh", "Cơ sở Hòa Bình"),
    ("le thi hoa", "Hộ kinh doanh Lê Thị Hoa"),
    ("hop tac", "Cơ sở Hợp Tác Phát"),
    ("kinh doanh", "Cơ sở kinh doanh gạo Tám Xoan"),
    ("hai nam", "Công ty TNHH MTV Hải Nam"),
    ("sao mai", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    // Tax numbers and phones, typed whole, in groups or with dots.
    ("0136059794", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    ("/0136059794", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    ("0136 059 794", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    ("0136.059.794", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    ("0136059", "Công ty TNHH Thủ công mỹ nghệ Sao Mai"),
    ("0100109106", "Hợp tác xã gốm sứ Bát Tràng"),
    ("0912 345 001", "Hợp tác xã gốm sứ Bát Tràng"),
    ("0912345001", "Hợp tác xã gốm sứ Bát Tràng"),
    ("0912.345.001", "Hợp tác xã gốm sứ Bát Tràng"),
    ("0136 059 700", "Hộ kinh doanh mộc Sao Khuê"),
];

/// (query, must rank higher, must rank lower)
const ABOVE: &[(&str, &str, &str)] = &[
    // Words found inside a legal form come after the same words in the name proper.
    (
        "hop tac",
        "Cơ sở Hợp Tác Phát",
        "Hợp tác xã gốm sứ Bát Tràng",
    ),
    (
        "hop tac",
        "Cơ sở Hợp Tác Phát",
        "Tổ hợp tác thêu ren Văn Lâm",
    ),
    (
        "kinh doanh",
        "Cơ sở kinh doanh gạo Tám Xoan",
        "Hộ kinh doanh Nguyễn Văn Đức",
    ),
    // Whole words in order before the same words scattered.
    (
        "nguyen van duc",
        "Hộ kinh doanh Nguyễn Văn Đức",
        "Cơ sở mộc Văn Đức",
    ),
    (
        "phu vinh",
        "Hợp tác xã mây tre đan Phú Vinh",
        "Cơ sở đan lát Vinh Phú",
    ),
    (
        "gom bat trang",
        "Làng nghề gốm Bát Tràng",
        "Hợp tác xã gốm sứ Bát Tràng",
    ),
    // Whole words before letters found inside other words.
    (
        "duc",
        "Hợp tác xã đúc đồng Ngũ Xã",
        "Cơ sở dược liệu Nguyễn Văn",
    ),
    ("hoa binh", "Cơ sở Hòa Bình", "Cơ sở Hoàng Bình An"),
    ("lua", "Làng nghề lụa Vạn Phúc", "Cơ sở chổi Luân Hà"),
    // The whole number before a number that only contains part of it.
    (
        "0136059",
        "Công ty TNHH Thủ công mỹ nghệ Sao Mai",
        "Hộ kinh doanh mộc Sao Khuê",
    ),
];

fn index() -> SearchIndex {
    let mut idx = SearchIndex::new();
    for (i, (name, rep, products, commune, phone, tax)) in DOCS.iter().enumerate() {
        idx.push(Doc {
            id: format!("id-{i}"),
            name: (*name).to_owned(),
            representative: (*rep).to_owned(),
            products: (*products).to_owned(),
            commune: (*commune).to_owned(),
            phone: (*phone).to_owned(),
            tax_code: (*tax).to_owned(),
        });
    }
    idx
}

fn ranked(idx: &SearchIndex, query: &str) -> Vec<String> {
    idx.search(query, DOCS.len())
        .iter()
        .map(|h| idx.doc(h.index).name.to_owned())
        .collect()
}

#[test]
fn the_set_is_large_enough() {
    assert!(TOP.len() >= 40, "{}", TOP.len());
    // Every expected name is in the data (a typo here would make a case meaningless).
    for (_, name) in TOP {
        assert!(DOCS.iter().any(|d| d.0 == *name), "{name}");
    }
    for (_, a, b) in ABOVE {
        assert!(DOCS.iter().any(|d| d.0 == *a), "{a}");
        assert!(DOCS.iter().any(|d| d.0 == *b), "{b}");
    }
}

#[test]
fn expected_top_result() {
    let idx = index();
    let mut wrong = Vec::new();
    for (query, expected) in TOP {
        let got = ranked(&idx, query);
        if got.first().map(String::as_str) != Some(*expected) {
            wrong.push(format!(
                "{query:?}: expected {expected:?}, got {:?}",
                &got[..got.len().min(3)]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn must_rank_above() {
    let idx = index();
    let mut wrong = Vec::new();
    for (query, higher, lower) in ABOVE {
        let got = ranked(&idx, query);
        let pos = |n: &str| got.iter().position(|g| g == n);
        match (pos(higher), pos(lower)) {
            (Some(h), Some(l)) if h < l => {}
            (h, l) => wrong.push(format!(
                "{query:?}: {higher:?} at {h:?}, {lower:?} at {l:?}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn typing_letter_by_letter_ends_where_a_fresh_search_does() {
    // The per-keystroke caches must not change the ranking rules.
    let idx = index();
    for (query, expected) in TOP.iter().take(12) {
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            let _ = idx.search(&typed, 5);
        }
        let got = ranked(&idx, query);
        assert_eq!(got.first().map(String::as_str), Some(*expected), "{query}");
    }
}

#[test]
fn search_works_without_diacritics() {
    let idx = index();
    let got = ranked(&idx, "lang nghe");
    assert!(got[0].starts_with("Làng nghề"), "{got:?}");
    let got = ranked(&idx, "duc");
    assert!(got.iter().any(|n| n.contains("Đức")), "{got:?}");
}

#[test]
fn the_total_counts_every_match() {
    let idx = index();
    let (hits, total) = idx.search_counted("gom", 2);
    assert_eq!(hits.len(), 2);
    let all = ranked(&idx, "gom").len();
    assert_eq!(total, all);
    assert!(total > 2);
}
