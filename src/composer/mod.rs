//! Request composers.
pub mod soap;
