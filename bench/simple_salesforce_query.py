"""What a Python user writes instead of `sfterm query ... --all --format csv`: a client
credentials token with requests, simple-salesforce's query_all, the records as CSV on stdout.

Used by bench/compare.sh. Environment: SF_INSTANCE_URL, SF_CLIENT_ID, SF_CLIENT_SECRET (the mock
org's env file), REQUESTS_CA_BUNDLE for its https certificate. Argument: the SOQL query.
"""

import csv
import os
import sys

import requests
from simple_salesforce import Salesforce


def main():
    soql = sys.argv[1]
    response = requests.post(
        os.environ["SF_INSTANCE_URL"].rstrip("/") + "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": os.environ["SF_CLIENT_ID"],
            "client_secret": os.environ["SF_CLIENT_SECRET"],
        },
        timeout=60,
    )
    response.raise_for_status()
    token = response.json()
    sf = Salesforce(instance_url=token["instance_url"], session_id=token["access_token"])
    result = sf.query_all(soql, include_deleted=True)
    records = result["records"]
    fields = [k for k in records[0] if k != "attributes"] if records else []
    writer = csv.writer(sys.stdout)
    writer.writerow(fields)
    for record in records:
        writer.writerow(["" if record[f] is None else record[f] for f in fields])


if __name__ == "__main__":
    main()
