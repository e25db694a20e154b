//! How server functions' answers (and their errors) travel: JSON, as Leptos' own `Json`, but
//! read from text in the browser.
//!
//! Leptos reads an island's props with `serde_json::from_str`; its `Json` codec reads answers
//! with `serde_json::from_slice`. serde_json's deserializer is generic over its reader, so a
//! type that arrives both ways (the methods page's `MethodsView` as the island's props and as
//! `load_methods`' answer) had its whole deserializer in the wasm twice. One reader for both
//! halves that (measured: BENCHMARKS.md, "Release wasm size"). The bytes on the wire are the
//! same `application/json` as before.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON, encoded as Leptos' `JsonEncoding` does and decoded from `&str`.
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// The answer codec of every server function (`output = JsonAnswer`).
pub type JsonAnswer = Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, PortalError};

    #[test]
    fn an_answer_reads_back_as_it_was_written_and_bad_bytes_are_an_error() {
        let error = PortalError::new(ErrorCode::RateLimited, "Wait a moment.");
        let bytes = <JsonText as Encodes<PortalError>>::encode(&error).unwrap();
        let back: PortalError = <JsonText as Decodes<PortalError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
        let not_utf8 = Bytes::from_static(b"\"\xff\"");
        assert!(<JsonText as Decodes<String>>::decode(not_utf8).is_err());
    }
}
