//! Requests to Salesforce as files and text, apart from any pane: saved requests and their variables
//! ([`request`]), the on-disk request store ([`store`]), the history of sent requests
//! ([`history`]), Postman collection / environment import ([`postman`]), curl export
//! ([`curl`]) and Apex SOAP: WSDLs, envelopes and faults ([`soap`]).

pub mod body;
pub mod curl;
pub mod demo;
pub mod history;
pub mod postman;
pub mod request;
pub mod send;
pub mod soap;
pub mod store;
