"""Compatibility test: the published simple-salesforce package against `sfterm mock-org --tls`.

Run by .ci/compat.sh, which starts the mock org and passes its env file's values:
SF_INSTANCE_URL, SF_CLIENT_ID, SF_CLIENT_SECRET, SF_CA_FILE (also set as REQUESTS_CA_BUNDLE).
Exits non-zero with a message on the first check that fails.
"""

import os
import sys

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

EXPECTED_ACCOUNTS = int(os.environ.get("SF_EXPECTED_ACCOUNTS", "2500"))


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def token():
    """A client-credentials token request, as a script would make it with requests."""
    response = requests.post(
        os.environ["SF_INSTANCE_URL"].rstrip("/") + "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": os.environ["SF_CLIENT_ID"],
            "client_secret": os.environ["SF_CLIENT_SECRET"],
        },
        timeout=30,
    )
    check(response.status_code == 200, f"token request answers 200 (got {response.status_code})")
    body = response.json()
    check(
        set(body) == {"access_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"},
        f"token response has exactly Salesforce's fields: {sorted(body)}",
    )
    check(isinstance(body["issued_at"], str) and body["issued_at"].isdigit(), "issued_at is a string of epoch ms")
    return body


def main():
    body = token()
    sf = Salesforce(instance_url=body["instance_url"], session_id=body["access_token"])

    first = sf.query("SELECT Id, Name FROM Account")
    check(first["totalSize"] == EXPECTED_ACCOUNTS, f"totalSize is {EXPECTED_ACCOUNTS} (got {first['totalSize']})")
    check(not first["done"] and len(first["records"]) == 2000, "the first page holds 2000 records and is not done")
    check(first["nextRecordsUrl"].startswith("/services/data/"), "nextRecordsUrl is a path under /services/data/")

    everything = sf.query_all("SELECT Id, Name, Industry FROM Account")
    ids = {r["Id"] for r in everything["records"]}
    check(len(everything["records"]) == EXPECTED_ACCOUNTS, f"query_all follows nextRecordsUrl to {EXPECTED_ACCOUNTS} records")
    check(len(ids) == EXPECTED_ACCOUNTS, "no record is returned twice across pages")
    check(all(len(i) == 18 for i in ids), "ids are 18 characters")

    describe = sf.Account.describe()
    names = {f["name"] for f in describe["fields"]}
    check(describe["name"] == "Account", "describe() names the object")
    check({"Id", "Name", "Industry", "Rating"} <= names, "Account describe has Id, Name, Industry, Rating")
    industry = next(f for f in describe["fields"] if f["name"] == "Industry")
    check(industry["type"] == "picklist" and industry["picklistValues"], "Industry is a picklist with values")

    account_id = everything["records"][0]["Id"]
    created = sf.Contact.create({"LastName": "Compat", "FirstName": "Simple", "AccountId": account_id})
    check(created["success"] and created["id"].startswith("003"), f"Contact created with a 003 id: {created}")
    contact_id = created["id"]

    status = sf.Contact.update(contact_id, {"Title": "Integration tester"})
    check(status == 204, f"update answers 204 (got {status})")
    contact = sf.Contact.get(contact_id)
    check(contact["Title"] == "Integration tester", "get returns the updated Title")
    check(contact["AccountId"] == account_id, "get returns the AccountId")
    check(contact["attributes"]["type"] == "Contact", "record attributes name the type")

    try:
        sf.Contact.create({"FirstName": "No last name"})
        check(False, "a Contact without LastName is refused")
    except SalesforceMalformedRequest as error:
        codes = [e.get("errorCode") for e in error.content]
        check("REQUIRED_FIELD_MISSING" in codes, f"failed create shows REQUIRED_FIELD_MISSING: {error.content}")

    status = sf.Contact.delete(contact_id)
    check(status == 204, f"delete answers 204 (got {status})")
    try:
        sf.Contact.get(contact_id)
        check(False, "a deleted Contact is not found")
    except SalesforceResourceNotFound as error:
        codes = [e.get("errorCode") for e in error.content]
        check(codes == ["ENTITY_IS_DELETED"] or codes == ["NOT_FOUND"], f"deleted Contact: {codes}")

    limits = sf.limits()
    daily = limits["DailyApiRequests"]
    check(daily["Max"] > 0 and 0 <= daily["Remaining"] < daily["Max"], f"limits() DailyApiRequests: {daily}")
    usage = sf.api_usage.get("api-usage")
    check(usage is not None and usage.used > 0, f"Sforce-Limit-Info parsed by simple-salesforce: {usage}")
    print("simple-salesforce compatibility: all checks passed")


if __name__ == "__main__":
    main()
