//! The human workbook inside a bundle (bundle.xlsx).
