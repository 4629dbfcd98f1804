//! Mock org.
