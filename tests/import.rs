//! `ctv facilities import`: reading CSV/XLSX as Excel writes them, column mapping, validation,
//! duplicate suspects, all-or-nothing import, and the rejects file.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::dup::DupReason;
use ctv::domain::facility::tax_check_digit;
use ctv::domain::{FacilityField, FacilityInput, Problem, ProfileInput};
use ctv::import::{
    self, map_columns, prepare, read_csv, read_table, rejects_path, write_rejects, ImportError,
    SourceFormat, Table,
};
use ctv::store::{FacilityFilter, FacilitySort, Store};
use ctv::words::problems::describe_facility;
use ctv::words::{problem_text, Lang};

fn store_as(role: &str, units: &str) -> Store {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap());
    let mut store = Store::open_in_memory(Arc::new(clock)).unwrap();
    store
        .init_profile(
            &ProfileInput {
                name: "Nguyễn Thị Hoa".into(),
                role: role.into(),
                units: units.into(),
                account: None,
            },
            false,
        )
        .unwrap();
    store
}

/// A provincial officer of Hà Nội (province 01: communes 00004 Ba Đình, 00008 Ngọc Hà, 00376 Sóc Sơn …).
fn hanoi() -> Store {
    store_as("province", "01")
}

fn count(store: &Store) -> usize {
    store.count_facilities(&FacilityFilter::default()).unwrap()
}

/// A valid 10-digit tax number from nine digits.
fn tax(first9: &str) -> String {
    let d = tax_check_digit(first9.as_bytes());
    assert!(d < 10, "no check digit fits {first9}");
    format!("{first9}{d}")
}

fn all_live(store: &Store) -> Vec<ctv::domain::Facility> {
    store
        .list_facilities(
            &FacilityFilter::default(),
            FacilitySort::Name,
            false,
            0,
            1000,
        )
        .unwrap()
}

fn by_name(store: &Store, name: &str) -> ctv::domain::Facility {
    all_live(store)
        .into_iter()
        .find(|f| f.data.name == name)
        .unwrap_or_else(|| panic!("no facility {name}"))
}

/// What the CLI does: import only if nothing is invalid (or when told to skip invalid rows).
fn import_like_cli(store: &mut Store, table: &Table, skip_invalid: bool) -> Option<usize> {
    let prepared = prepare(store, table).unwrap();
    if !prepared.invalid.is_empty() && !skip_invalid {
        return None;
    }
    Some(
        store
            .import_facilities(&prepared.valid_data())
            .unwrap()
            .inserted,
    )
}

#[test]
fn good_csv_imports_with_history() {
    let mut store = hanoi();
    let before = store.change_count().unwrap();
    let t = tax("010023348");
    let csv = format!(
        "name,entity_type,tax_code,representative,phone,address,commune_code,trade_group,products,workers,founded_year,notes\n\
         Cơ sở bánh đa Nguyễn Văn Đức,HKD,,Nguyễn Văn Đức,0912345678,Thôn Kế,00376,NN1,Bánh đa nem,12,1998,\n\
         HTX mây tre đan Phú Vinh,HTX,{t},Trần Thị Lan,0987 654 321,Thôn Phú Vinh,00376,NN4,\"Giỏ, làn\",45,1985,Có xuất khẩu\n\
         Công ty TNHH gốm sứ Minh Long,Doanh nghiệp nhỏ và vừa,,Lê Minh Long,,Số 5 Đội Cấn,00004,,Bát đĩa gốm,1.250,2010,\n"
    );
    let table = read_csv(csv.as_bytes()).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Csv {
            delimiter: b',',
            bom: false
        }
    );
    assert_eq!(table.headers.len(), 12);
    let prepared = prepare(&store, &table).unwrap();
    assert!(prepared.invalid.is_empty(), "{:#?}", prepared.invalid);
    assert!(prepared.ignored_columns.is_empty());
    assert_eq!(
        prepared.valid.iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert!(prepared
        .valid
        .iter()
        .all(|r| r.warnings.is_empty() && r.suspects.is_empty()));

    let out = store.import_facilities(&prepared.valid_data()).unwrap();
    assert_eq!(out.inserted, 3);
    assert_eq!(count(&store), 3);
    assert_eq!(store.change_count().unwrap(), before + 3);

    let htx = by_name(&store, "HTX mây tre đan Phú Vinh");
    assert_eq!(htx.data.entity_type.as_deref(), Some("HTX"));
    assert_eq!(htx.data.tax_code.as_deref(), Some(t.as_str()));
    assert_eq!(htx.data.phone.as_deref(), Some("0987654321"));
    assert_eq!(htx.data.products, "Giỏ, làn");
    assert_eq!(htx.data.workers, Some(45));
    assert_eq!(htx.data.founded_year, Some(1985));
    assert_eq!(htx.data.trade_group.as_deref(), Some("NN4"));
    assert_eq!(htx.data.notes, "Có xuất khẩu");
    let company = by_name(&store, "Công ty TNHH gốm sứ Minh Long");
    assert_eq!(
        company.data.entity_type.as_deref(),
        Some("DNNVV"),
        "label typed in full"
    );
    assert_eq!(
        company.data.workers,
        Some(1250),
        "Vietnamese thousands separator"
    );
    assert_eq!(company.data.commune_code, "00004");

    let history = store.history("facility", &htx.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "create");
    assert_eq!(history[0].actor_name, "Nguyễn Thị Hoa");
    assert_eq!(
        history[0].changes["name"],
        serde_json::json!([null, "HTX mây tre đan Phú Vinh"])
    );
    assert_eq!(history[0].changes["workers"], serde_json::json!([null, 45]));
}

#[test]
fn semicolon_bom_crlf_and_quoted_newlines() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        "Tên cơ sở;Mã xã;Ghi chú;Số lao động\r\n\
         \"Cơ sở rèn Phúc, An\";376;\"Dòng một; có dấu phẩy, chấm phẩy\r\nDòng hai\";5\r\n\
         Cơ sở nón lá Chuông;00376;;3,0\r\n"
            .as_bytes(),
    );
    let table = read_csv(&bytes).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Csv {
            delimiter: b';',
            bom: true
        }
    );
    assert_eq!(
        table.headers,
        ["Tên cơ sở", "Mã xã", "Ghi chú", "Số lao động"],
        "BOM stripped from the first header"
    );
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].0, 2);
    assert_eq!(
        table.rows[0].1[2],
        "Dòng một; có dấu phẩy, chấm phẩy\r\nDòng hai"
    );
    assert_eq!(
        table.rows[1].0, 4,
        "the line a text editor shows, after the two-line record"
    );

    let store = hanoi();
    let prepared = prepare(&store, &table).unwrap();
    // "3,0" (a decimal comma) is not a whole number the validator knows: reported, not guessed.
    assert_eq!(prepared.valid.len(), 1);
    let row = &prepared.valid[0];
    assert_eq!(row.data.name, "Cơ sở rèn Phúc, An");
    assert_eq!(row.data.commune_code, "00376");
    assert_eq!(row.data.notes, "Dòng một; có dấu phẩy, chấm phẩy\nDòng hai");
    let (line, cells, errors) = &prepared.invalid[0];
    assert_eq!(*line, 4);
    assert_eq!(cells[0], "Cơ sở nón lá Chuông");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "workers");
    assert_eq!(errors[0].value, "3,0");
    assert!(matches!(&errors[0].problem, Problem::NotAWholeNumber { value } if value == "3,0"));
}

#[test]
fn tab_separated_and_excel_sep_line() {
    let table = read_csv("name\tcommune_code\nA\t4\n".as_bytes()).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Csv {
            delimiter: b'\t',
            bom: false
        }
    );
    assert_eq!(table.rows[0].1, ["A", "4"]);
    let table = read_csv("sep=;\r\nname;commune_code\r\nB, C;4\r\n".as_bytes()).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Csv {
            delimiter: b';',
            bom: false
        }
    );
    assert_eq!(table.headers, ["name", "commune_code"]);
    assert_eq!(table.rows, [(3, vec!["B, C".to_string(), "4".to_string()])]);
}

#[test]
fn vietnamese_headers_and_excel_mangled_numbers() {
    let store = hanoi();
    let csv = "Tên cơ sở,Loại hình,MST,Chủ cơ sở,SĐT,Địa chỉ,Mã xã/phường,Ngành nghề,Sản phẩm,Lao động,Năm thành lập,Ghi chú,Làng nghề,Số sao OCOP,Năm OCOP,Trạng thái,Xuất khẩu\n\
               Cơ sở gốm Bát Tràng,Hộ kinh doanh,100233488,Lê Văn Bình,912345678,Thôn 3,4,NN4,Bát đĩa,12.0,2001.0,,Làng nghề gốm Bát Tràng,4,2023,Tạm ngừng,x\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let map = map_columns(&table.headers).unwrap();
    assert!(map.ignored().is_empty(), "{:?}", map.ignored());
    assert_eq!(map.column(FacilityField::TaxCode), Some(2));
    let prepared = prepare(&store, &table).unwrap();
    assert!(prepared.invalid.is_empty(), "{:#?}", prepared.invalid);
    let d = &prepared.valid[0].data;
    assert_eq!(d.commune_code, "00004");
    assert_eq!(d.tax_code.as_deref(), Some("0100233488"));
    assert_eq!(d.phone.as_deref(), Some("0912345678"));
    assert_eq!(d.entity_type.as_deref(), Some("HKD"));
    assert_eq!(d.representative, "Lê Văn Bình");
    assert_eq!(d.workers, Some(12));
    assert_eq!(d.founded_year, Some(2001));
    assert_eq!(d.craft_village, "Làng nghề gốm Bát Tràng");
    assert_eq!(d.ocop_stars, Some(4));
    assert_eq!(d.ocop_year, Some(2023));
    assert_eq!(d.status, ctv::domain::FacilityStatus::Paused);
    assert!(d.exports);
}

#[test]
fn header_matching_is_forgiving() {
    let h = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (header, field) in [
        ("Tên", FacilityField::Name),
        ("TÊN CƠ SỞ (*)", FacilityField::Name),
        ("ten_co_so", FacilityField::Name),
        ("  Tên   cơ sở  ", FacilityField::Name),
        ("Ma xa", FacilityField::CommuneCode),
        ("commune_code", FacilityField::CommuneCode),
        ("Commune Code", FacilityField::CommuneCode),
        ("Mã số thuế", FacilityField::TaxCode),
        ("Số ĐKKD", FacilityField::TaxCode),
        ("Người đại diện", FacilityField::Representative),
        ("Điện thoại", FacilityField::Phone),
        ("Số điện thoại", FacilityField::Phone),
        ("Nhóm ngành nghề", FacilityField::TradeGroup),
        ("Sản phẩm chính", FacilityField::Products),
        ("Số lao động", FacilityField::Workers),
        ("OCOP", FacilityField::OcopStars),
        ("ocop_year", FacilityField::OcopYear),
        ("typical level", FacilityField::TypicalLevel),
        ("local_materials", FacilityField::LocalMaterials),
        ("woman_owned", FacilityField::WomanOwned),
        ("ethnic_owned", FacilityField::EthnicOwned),
        ("difficult_area", FacilityField::DifficultArea),
        ("Ghi chú:", FacilityField::Notes),
    ] {
        assert_eq!(import::lookup_header(header), Some(field), "{header:?}");
    }
    // Every field key is accepted as a header.
    for f in FacilityField::ALL {
        assert_eq!(import::lookup_header(f.key()), Some(f));
    }
    let map = map_columns(&h(&["STT", "Tên cơ sở", "", "Mã xã", "Ngày khảo sát"])).unwrap();
    assert_eq!(map.ignored(), ["STT", "Ngày khảo sát"]);
    assert_eq!(map.column(FacilityField::Name), Some(1));
    assert_eq!(map.column(FacilityField::CommuneCode), Some(3));
}

#[test]
fn missing_and_duplicate_columns() {
    let h = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match map_columns(&h(&["Tên cơ sở", "Địa chỉ"])) {
        Err(
            e @ ImportError::MissingColumn {
                column: "commune_code",
            },
        ) => {
            assert!(
                ctv::words::errors::import_error_text(Lang::Vi, &e).contains("Mã xã/phường"),
                "{}",
                ctv::words::errors::import_error_text(Lang::Vi, &e)
            );
            assert!(e.to_string().contains("commune_code"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        map_columns(&h(&["Mã xã", "Điện thoại"])),
        Err(ImportError::MissingColumn { column: "name" })
    ));
    match map_columns(&h(&["Tên", "Mã xã", "Tên cơ sở"])) {
        Err(ImportError::DuplicateColumn {
            field: "name",
            first,
            second,
        }) => {
            assert_eq!((first.as_str(), second.as_str()), ("Tên", "Tên cơ sở"));
        }
        other => panic!("{other:?}"),
    }
    // Through prepare too: the file is refused before any row is looked at.
    let store = hanoi();
    let table = read_csv("Tên cơ sở,Địa chỉ\nA,B\n".as_bytes()).unwrap();
    assert!(matches!(
        prepare(&store, &table),
        Err(ImportError::MissingColumn {
            column: "commune_code"
        })
    ));
}

#[test]
fn unknown_columns_are_listed() {
    let store = hanoi();
    let table =
        read_csv("STT,Tên cơ sở,Mã xã,Ngày khảo sát\n1,Cơ sở A,4,01/02/2025\n".as_bytes()).unwrap();
    let prepared = prepare(&store, &table).unwrap();
    assert_eq!(prepared.ignored_columns, ["STT", "Ngày khảo sát"]);
    assert_eq!(prepared.valid.len(), 1);
}

#[test]
fn title_rows_and_blank_rows_are_skipped() {
    let csv = "DANH SÁCH CƠ SỞ CÔNG NGHIỆP NÔNG THÔN,,\n,,\nTên cơ sở,Mã xã,Địa chỉ\nCơ sở A,4,Thôn 1\n,,\n  , ,\nCơ sở B,8,Thôn 2\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    assert_eq!(table.headers, ["Tên cơ sở", "Mã xã", "Địa chỉ"]);
    assert_eq!(table.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [4, 7]);

    // A template's pre-numbered rows: something only in an ignored column.
    let csv = "STT,Tên cơ sở,Mã xã\n1,Cơ sở A,4\n2,,\n3, ,\n";
    let store = hanoi();
    let prepared = prepare(&store, &read_csv(csv.as_bytes()).unwrap()).unwrap();
    assert_eq!(prepared.valid.len(), 1);
    assert!(prepared.invalid.is_empty());
    assert_eq!(prepared.skipped, [3, 4]);
}

#[test]
fn a_bad_row_refuses_the_whole_file_and_writes_nothing() {
    let mut store = hanoi();
    let before = store.change_count().unwrap();
    let csv = "name,commune_code,phone,ocop_stars,workers\n\
               Cơ sở A,00004,0912345678,,3\n\
               Cơ sở B,99999,12345,7,\n\
               Cơ sở C,00008,,,-2\n\
               ,00008,,,\n\
               Cơ sở E,00376,,,\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let prepared = prepare(&store, &table).unwrap();
    assert_eq!(
        prepared.valid.iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 6]
    );
    let found: Vec<(usize, &str, &Problem, &str)> = prepared
        .errors()
        .map(|e| (e.line, e.field, &e.problem, e.value.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                3,
                "commune_code",
                &Problem::UnknownCommune {
                    code: "99999".into()
                },
                "99999"
            ),
            (3, "phone", &Problem::PhoneFormat, "12345"),
            (3, "ocop_stars", &Problem::OcopStars, "7"),
            (4, "workers", &Problem::Negative, "-2"),
            (5, "name", &Problem::Required, ""),
        ]
    );
    assert_eq!(
        prepared
            .invalid
            .iter()
            .map(|(l, _, _)| *l)
            .collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(import_like_cli(&mut store, &table, false), None);
    assert_eq!(count(&store), 0);
    assert_eq!(store.change_count().unwrap(), before);
}

#[test]
fn skip_invalid_imports_good_rows_and_writes_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("danh sach.csv");
    std::fs::write(
        &input,
        "Tên cơ sở,Mã xã,Điện thoại,Ghi chú\r\n\
         Cơ sở A,4,0912345678,\r\n\
         Cơ sở B,99999,,\"có dấu phẩy, và\r\nxuống dòng\"\r\n\
         Cơ sở C,00008,0123,\r\n",
    )
    .unwrap();
    let mut store = hanoi();
    let table = read_table(&input).unwrap();
    let prepared = prepare(&store, &table).unwrap();
    assert_eq!(prepared.valid.len(), 1);
    assert_eq!(prepared.invalid.len(), 2);
    let rejects = rejects_path(&input);
    assert_eq!(rejects, dir.path().join("danh sach.loi.csv"));
    write_rejects(&rejects, &table, &prepared).unwrap();
    assert_eq!(import_like_cli(&mut store, &table, true), Some(1));
    assert_eq!(count(&store), 1);

    let bytes = std::fs::read(&rejects).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "BOM so Excel reads UTF-8"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.starts_with("Tên cơ sở,Mã xã,Điện thoại,Ghi chú,Lỗi\r\n"),
        "{text}"
    );
    assert!(text.ends_with("\r\n"));
    assert!(
        text.contains("Mã xã/phường: Mã xã 99999 không có trong danh mục 2025"),
        "{text}"
    );
    assert!(
        text.contains("Điện thoại: Số điện thoại không hợp lệ"),
        "{text}"
    );

    // Readable back, same cells, and re-importable once fixed (the "Lỗi" column is ignored).
    let back = read_table(&rejects).unwrap();
    assert_eq!(
        back.format,
        SourceFormat::Csv {
            delimiter: b',',
            bom: true
        }
    );
    assert_eq!(
        back.headers,
        ["Tên cơ sở", "Mã xã", "Điện thoại", "Ghi chú", "Lỗi"]
    );
    assert_eq!(back.rows.len(), 2);
    assert_eq!(
        back.rows[0].1[..4],
        ["Cơ sở B", "99999", "", "có dấu phẩy, và\r\nxuống dòng"]
    );
    assert_eq!(back.rows[1].1[..4], ["Cơ sở C", "00008", "0123", ""]);
    let again = prepare(&store, &back).unwrap();
    assert_eq!(again.ignored_columns, ["Lỗi"]);
    assert_eq!(again.invalid.len(), 2);

    assert_eq!(
        rejects_path(Path::new("/x/ds.xlsx")),
        Path::new("/x/ds.loi.csv")
    );
}

#[test]
fn xlsx_with_real_numbers_dates_and_titles() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("co so.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Danh sách").unwrap();
    ws.write_string(0, 0, "DANH SÁCH CƠ SỞ CNNT XÃ SÓC SƠN")
        .unwrap();
    let headers = [
        "STT",
        "Tên cơ sở",
        "Mã xã",
        "Mã số thuế",
        "Điện thoại",
        "Số lao động",
        "Năm thành lập",
        "Ngày khảo sát",
        "Xuất khẩu",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // Row 4 (Excel numbering): numbers as Excel keeps them.
    ws.write_number(3, 0, 1).unwrap();
    ws.write_string(3, 1, "HTX mây tre đan Phú Vinh").unwrap();
    ws.write_number(3, 2, 376).unwrap();
    ws.write_number(3, 3, 100233488).unwrap();
    ws.write_number(3, 4, 912345678).unwrap();
    ws.write_number(3, 5, 25.0).unwrap();
    ws.write_number(3, 6, 1999).unwrap();
    ws.write_datetime_with_format(3, 7, ExcelDateTime::from_ymd(2024, 3, 5).unwrap(), &date)
        .unwrap();
    ws.write_boolean(3, 8, true).unwrap();
    // Row 5 left empty; row 6 another facility.
    ws.write_number(5, 0, 2).unwrap();
    ws.write_string(5, 1, "Cơ sở bánh đa Nguyễn Văn Đức")
        .unwrap();
    ws.write_number(5, 2, 4).unwrap();
    ws.write_number(5, 5, 2.5).unwrap();
    wb.save(&path).unwrap();

    let table = read_table(&path).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Xlsx {
            sheet: "Danh sách".into()
        }
    );
    assert_eq!(table.headers, headers);
    assert_eq!(
        table.rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 6],
        "rows numbered as Excel shows them"
    );
    let first = &table.rows[0].1;
    assert_eq!(first[2], "376");
    assert_eq!(first[3], "100233488");
    assert_eq!(first[5], "25");
    assert_eq!(first[7], "05/03/2024");
    assert_eq!(first[8], "TRUE");
    assert_eq!(table.rows[1].1[5], "2.5");

    let mut store = hanoi();
    let prepared = prepare(&store, &table).unwrap();
    assert_eq!(prepared.ignored_columns, ["STT", "Ngày khảo sát"]);
    assert_eq!(prepared.valid.len(), 1);
    let d = &prepared.valid[0].data;
    assert_eq!(d.name, "HTX mây tre đan Phú Vinh");
    assert_eq!(d.commune_code, "00376");
    assert_eq!(d.tax_code.as_deref(), Some("0100233488"));
    assert_eq!(d.phone.as_deref(), Some("0912345678"));
    assert_eq!(d.workers, Some(25));
    assert_eq!(d.founded_year, Some(1999));
    assert!(d.exports);
    let (line, _, errors) = &prepared.invalid[0];
    assert_eq!(*line, 6);
    assert_eq!(errors[0].field, "workers");
    assert_eq!(errors[0].value, "2.5");
    assert_eq!(import_like_cli(&mut store, &table, true), Some(1));
    assert_eq!(
        by_name(&store, "HTX mây tre đan Phú Vinh")
            .data
            .commune_code,
        "00376"
    );
}

#[test]
fn duplicates_are_reported_never_merged() {
    let mut store = hanoi();
    let input = FacilityInput {
        name: "Cơ sở gốm Minh Long".into(),
        commune_code: "00004".into(),
        tax_code: "0100233488".into(),
        ..FacilityInput::default()
    };
    let (existing, _) = store.create_facility(&input).unwrap();
    let csv = "name,commune_code,tax_code,phone\n\
               Công ty TNHH sứ Hoàng Gia,00008,0100233488,\n\
               Cơ sở rèn Phúc An,00376,,0912345678\n\
               Cơ sở nón lá Chuông,00004,,0912 345 678\n\
               Cơ sở bánh đa Kế,00008,,\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let prepared = prepare(&store, &table).unwrap();
    assert!(prepared.invalid.is_empty());
    let rows = &prepared.valid;
    assert_eq!(rows[0].suspects.len(), 1);
    assert_eq!(rows[0].suspects[0].id, existing.id);
    assert_eq!(
        rows[0].suspects[0].reasons,
        [DupReason::SameTaxCode {
            tax_code: "0100233488".into()
        }]
    );
    assert!(
        rows[1].suspects.is_empty(),
        "only earlier rows are compared"
    );
    assert_eq!(rows[2].suspects.len(), 1);
    assert_eq!(rows[2].suspects[0].id, "line:3");
    assert_eq!(rows[2].suspects[0].name, "Cơ sở rèn Phúc An");
    assert_eq!(
        rows[2].suspects[0].reasons,
        [DupReason::SamePhone {
            phone: "0912345678".into()
        }]
    );
    assert!(rows[3].suspects.is_empty());
    assert_eq!(prepared.rows_with_suspects().count(), 2);

    let out = store.import_facilities(&prepared.valid_data()).unwrap();
    assert_eq!(out.inserted, 4);
    assert_eq!(count(&store), 5, "every row imported, nothing merged");
    assert_eq!(
        store.facility(&existing.id).unwrap().unwrap().data,
        existing.data,
        "existing record untouched"
    );
}

#[test]
fn similar_names_in_one_file_are_suspects() {
    let store = hanoi();
    let csv = "name,commune_code\nHTX mây tre đan Phú Vinh,00376\nCơ sở Mây tre đan Phú Vinh,376\nHTX mây tre đan Phú Vinh,00004\n";
    let prepared = prepare(&store, &read_csv(csv.as_bytes()).unwrap()).unwrap();
    assert!(matches!(
        prepared.valid[1].suspects[0].reasons[0],
        DupReason::SimilarName { similarity: 100 }
    ));
    assert!(
        prepared.valid[2].suspects.is_empty(),
        "same name, other commune"
    );
}

#[test]
fn scope_and_warnings() {
    // A commune collaborator of Ba Đình cannot import Ngọc Hà's facilities.
    let store = store_as("commune", "00004");
    let t = "0100233487"; // wrong check digit: a warning, not a refusal
    let csv = format!("name,commune_code,tax_code\nCơ sở A,4,{t}\nCơ sở B,8,\n");
    let prepared = prepare(&store, &read_csv(csv.as_bytes()).unwrap()).unwrap();
    assert_eq!(prepared.valid.len(), 1);
    assert_eq!(prepared.valid[0].warnings.len(), 1);
    let w = &prepared.valid[0].warnings[0];
    assert_eq!(w.field, "tax_code");
    assert_eq!(
        describe_facility(Lang::Vi, w.field, &w.problem),
        "Mã số thuế: Chữ số kiểm tra không khớp (có thể gõ nhầm)"
    );
    assert_eq!(
        prepared.invalid[0].2[0].problem,
        Problem::CommuneOutOfScope {
            code: "00008".into()
        }
    );
}

#[test]
fn no_profile_no_import() {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap());
    let store = Store::open_in_memory(Arc::new(clock)).unwrap();
    let table = read_csv(b"name,commune_code\nA,4\n").unwrap();
    assert!(matches!(
        prepare(&store, &table),
        Err(ImportError::Store(_))
    ));
}

#[test]
fn encoding_errors_name_the_line() {
    // "Đ" in Windows-1258 is the single byte 0xD0.
    let mut bytes = b"name,commune_code\nCo so A,00004\nC\xD0 so B,00008\n".to_vec();
    match read_csv(&bytes) {
        Err(e @ ImportError::Encoding { line: 3 }) => {
            assert!(e.to_string().contains("Windows-1258"), "{e}");
            assert!(ctv::words::errors::import_error_text(Lang::Vi, &e).contains("Windows-1258"));
            assert!(ctv::words::errors::import_error_text(Lang::Vi, &e).contains("dòng 3"));
        }
        other => panic!("{other:?}"),
    }
    bytes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    assert!(matches!(
        read_csv(&bytes),
        Err(ImportError::Encoding { line: 3 })
    ));
    assert!(matches!(
        read_csv(b"\xFF\xFEn\0a\0"),
        Err(ImportError::Utf16)
    ));
    assert!(matches!(read_csv(b""), Err(ImportError::Empty)));
    assert!(matches!(
        read_csv(b"\xEF\xBB\xBF\r\n,,\r\n"),
        Err(ImportError::Empty)
    ));
}

#[test]
fn file_types() {
    let dir = tempfile::tempdir().unwrap();
    let ods = dir.path().join("a.ods");
    std::fs::write(&ods, b"x").unwrap();
    assert!(matches!(
        read_table(&ods),
        Err(ImportError::UnknownFormat { .. })
    ));
    let txt = dir.path().join("A.TXT");
    std::fs::write(&txt, "name;commune_code\nA;4\n").unwrap();
    assert_eq!(read_table(&txt).unwrap().rows.len(), 1);
    assert!(matches!(
        read_table(&dir.path().join("missing.csv")),
        Err(ImportError::Io { .. })
    ));
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, "not a zip").unwrap();
    assert!(matches!(read_table(&fake), Err(ImportError::Xlsx { .. })));
}

#[test]
fn every_problem_has_words_in_both_languages() {
    let all = [
        Problem::Required,
        Problem::UnknownCommune {
            code: "99999".into(),
        },
        Problem::CommuneOutOfScope {
            code: "00008".into(),
        },
        Problem::UnknownCode { code: "XYZ".into() },
        Problem::TaxFormat,
        Problem::TaxBranchZero,
        Problem::TaxCheckDigit { expected: 8 },
        Problem::PhoneFormat,
        Problem::NotAWholeNumber {
            value: "mười".into(),
        },
        Problem::Negative,
        Problem::YearInFuture { year: 2099 },
        Problem::YearTooOld { year: 1700 },
        Problem::OcopStars,
        Problem::UnknownStatus { value: "?".into() },
        Problem::UnknownRole { value: "?".into() },
        Problem::UnknownUnit { code: "999".into() },
        Problem::ScopeShape,
        Problem::TooLong { max: 200 },
        Problem::NotABoolean {
            value: "hmm".into(),
        },
    ];
    for p in &all {
        for lang in [Lang::Vi, Lang::En] {
            let t = problem_text(lang, p);
            assert!(!t.starts_with("problem."), "{p:?} has no {lang:?} text");
            assert!(!t.contains("{}"), "{t}");
        }
    }
    assert_eq!(problem_text(Lang::Vi, &all[0]), "Bắt buộc nhập");
    assert_eq!(
        problem_text(Lang::Vi, &all[1]),
        "Mã xã 99999 không có trong danh mục 2025"
    );
    assert_eq!(
        problem_text(Lang::En, &all[1]),
        "Commune code 99999 is not in the 2025 list"
    );
    for f in FacilityField::ALL {
        let d = describe_facility(Lang::Vi, f.key(), &Problem::Required);
        assert!(!d.starts_with("field."), "{} has no label", f.key());
        assert!(d.ends_with(": Bắt buộc nhập"));
    }
    assert_eq!(
        describe_facility(Lang::En, "role", &Problem::Required),
        "role: Required"
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever Excel puts in a cell, written as CSV with either separator, reads back the same.
        #[test]
        fn csv_cells_round_trip(
            cells in proptest::collection::vec("[a-zA-Zàáạăắâấđêếôốơớưứ0-9 ,;\"\r\n\t]{0,12}", 1..20),
            semicolon in any::<bool>(),
            bom in any::<bool>(),
        ) {
            let delim = if semicolon { b';' } else { b',' };
            let mut buf = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            {
                let mut w = csv::WriterBuilder::new().delimiter(delim).terminator(csv::Terminator::CRLF).from_writer(&mut buf);
                w.write_record(["Tên cơ sở", "Mã xã", "Ghi chú"]).unwrap();
                for c in &cells {
                    w.write_record(["Cơ sở", "4", c.as_str()]).unwrap();
                }
                w.flush().unwrap();
            }
            let t = read_csv(&buf).unwrap();
            prop_assert_eq!(&t.format, &SourceFormat::Csv { delimiter: delim, bom });
            prop_assert_eq!(t.rows.len(), cells.len());
            for ((_, row), c) in t.rows.iter().zip(&cells) {
                prop_assert_eq!(&row[2], c);
            }
            // Line numbers increase and account for line breaks inside cells.
            let mut expected = 2;
            for ((line, _), c) in t.rows.iter().zip(&cells) {
                prop_assert_eq!(*line, expected);
                expected += 1 + c.matches('\n').count();
            }
        }
    }
}

#[test]
fn excel_vietnamese_fixture() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/excel_vi_semicolon.csv");
    let table = read_table(&path).unwrap();
    assert_eq!(
        table.format,
        SourceFormat::Csv {
            delimiter: b';',
            bom: true
        }
    );
    assert_eq!(table.headers[1], "Tên cơ sở");
    assert_eq!(
        table.rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 5, 7, 8]
    );

    let mut store = hanoi();
    let prepared = prepare(&store, &table).unwrap();
    assert_eq!(prepared.ignored_columns, ["STT"]);
    assert_eq!(
        prepared.valid.iter().map(|r| r.line).collect::<Vec<_>>(),
        [4, 5, 8]
    );
    let htx = &prepared.valid[1].data;
    assert_eq!(htx.tax_code.as_deref(), Some("0100233488"));
    assert_eq!(htx.phone.as_deref(), Some("0987654321"));
    assert_eq!(htx.commune_code, "00376");
    assert_eq!(htx.products, "Giỏ; làn, bàn ghế");
    assert_eq!(htx.notes, "Cần hỗ trợ máy sấy\nĐề nghị tham gia hội chợ");
    assert_eq!(prepared.valid[0].data.phone.as_deref(), Some("0912345678"));
    assert_eq!(
        prepared.valid[2].warnings[0].problem,
        Problem::TaxCheckDigit { expected: 8 }
    );
    let (line, _, errors) = &prepared.invalid[0];
    assert_eq!(*line, 7);
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["commune_code", "phone", "founded_year"]);
    assert_eq!(errors[2].problem, Problem::YearInFuture { year: 2030 });

    // The CLI's default: one bad row, nothing written.
    assert_eq!(import_like_cli(&mut store, &table, false), None);
    assert_eq!(count(&store), 0);
    let dir = tempfile::tempdir().unwrap();
    let rejects = dir.path().join("x.loi.csv");
    write_rejects(&rejects, &table, &prepared).unwrap();
    let back = read_table(&rejects).unwrap();
    assert_eq!(back.rows.len(), 1);
    assert_eq!(back.rows[0].1[1], "Cơ sở gốm Bát Tràng");
    let errors_cell = back.rows[0].1.last().unwrap();
    assert!(
        errors_cell
            .starts_with("Mã xã/phường: Mã xã 99999 không có trong danh mục 2025; Điện thoại: "),
        "{errors_cell}"
    );
    assert!(
        errors_cell.contains("Năm thành lập: Năm 2030 chưa tới"),
        "{errors_cell}"
    );
}
