//! Records whose writes fail, as if a validation rule (an update) or a trigger (a delete)
//! refused them: `POST /__mock/faults {"reject_writes": {"<id>": "<message>"}}` or
//! [`MockOrg::reject_writes`]. Every update of such a record — one record's PATCH or its place
//! in an sObject Collections call — fails with `FIELD_CUSTOM_VALIDATION_EXCEPTION` and the
//! message, every delete with `DELETE_FAILED`; the other records of the same call go through.
//! `DELETE /__mock/faults` forgets them.

use super::MockOrg;
use super::rest::ApiError;
use super::state::Inner;

impl Inner {
    /// Why a write of record `id` (18 characters) is refused, if it is one of the rejected.
    pub(crate) fn rejection(&self, id: &str, delete: bool) -> Option<ApiError> {
        let message = self.rejected.get(id)?;
        Some(if delete {
            ApiError::bad("DELETE_FAILED", message.clone())
        } else {
            ApiError::bad("FIELD_CUSTOM_VALIDATION_EXCEPTION", message.clone())
        })
    }

    /// Rejects the writes of `id` (15 or 18 characters) with `message`; false for an id that
    /// is not one.
    pub(crate) fn reject(&mut self, id: &str, message: &str) -> bool {
        match crate::sf::id::normalize(id) {
            Some(id) => {
                self.rejected.insert(id, message.to_owned());
                true
            }
            None => false,
        }
    }
}

impl MockOrg {
    /// Makes every update of record `id` fail with `FIELD_CUSTOM_VALIDATION_EXCEPTION` and
    /// `message`, and every delete of it with `DELETE_FAILED` (until the faults are cleared).
    pub fn reject_writes(&self, id: &str, message: &str) {
        self.shared.lock().reject(id, message);
    }
}
