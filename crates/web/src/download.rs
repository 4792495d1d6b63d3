//! File downloads the API and the pages share.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV file as a spreadsheet opens it: with a UTF-8 byte order mark, without which
/// LibreOffice and Excel guess the system's legacy encoding and garble every accent. The
/// importer (`zesummen import`, `ingest::csv_format`) skips the mark.
pub fn csv_download(filename: &'static str, body: &[u8]) -> Response {
    let mut with_bom = Vec::with_capacity(body.len() + 3);
    with_bom.extend_from_slice("\u{feff}".as_bytes());
    with_bom.extend_from_slice(body);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        with_bom,
    )
        .into_response()
}

/// A CSV file streamed as it is written (`Transfer-Encoding: chunked`), the byte order mark
/// first: see [`csv_download`].
pub fn csv_stream<S>(filename: &'static str, chunks: S) -> Response
where
    S: futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
{
    use futures_util::StreamExt;
    let bom = futures_util::stream::once(async { Ok("\u{feff}".as_bytes().to_vec()) });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        axum::body::Body::from_stream(bom.chain(chunks)),
    )
        .into_response()
}
