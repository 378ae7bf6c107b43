"""Setting up an S3 bucket for Ginga (`flask storage setup`) and checking it (`flask doctor`):
CORS so browsers PUT parts and read ETags, and a lifecycle rule for abandoned uploads."""

from botocore.exceptions import ClientError


def cors_problems(client, bucket, site_origins):
    """What the bucket's CORS rules lack for browsers to PUT parts and read ETags."""
    try:
        rules = client.get_bucket_cors(Bucket=bucket)["CORSRules"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchCORSConfiguration":
            return ["the bucket has no CORS rule: browsers cannot upload parts to it"]
        raise
    problems = []
    for origin in site_origins:
        fits = [
            r
            for r in rules
            if {origin, "*"} & set(r.get("AllowedOrigins", []))
            and "PUT" in r.get("AllowedMethods", [])
        ]
        if not fits:
            problems.append(f"no CORS rule lets {origin} PUT parts into the bucket")
        elif not any("ETag" in r.get("ExposeHeaders", []) for r in fits):
            problems.append(f"the CORS rule for {origin} does not expose the ETag header")
    return problems


def setup(client, bucket, site_origins):
    """Create the bucket if missing; CORS for browser PUTs and ETags; expire stale uploads."""
    try:
        client.head_bucket(Bucket=bucket)
        done = [f"bucket {bucket} exists"]
    except ClientError:
        client.create_bucket(Bucket=bucket)
        done = [f"created bucket {bucket}"]
    client.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": list(site_origins),
                    "AllowedMethods": ["GET", "HEAD", "PUT"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        },
    )
    done.append("CORS: PUT/GET from " + ", ".join(site_origins) + ", ETag exposed")
    try:
        client.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "abort-stale-multipart-uploads",
                        "Status": "Enabled",
                        "Filter": {"Prefix": ""},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    }
                ]
            },
        )
        done.append("lifecycle: incomplete multipart uploads aborted after 1 day")
    except ClientError as error:
        done.append(
            "lifecycle rule NOT set ("
            + error.response.get("Error", {}).get("Code", "error")
            + "): abandoned uploads are cleaned by the app's sweeper"
        )
    return done
