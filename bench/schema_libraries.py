"""Request overhead of declaring the rating path's schemas, flask-smorest vs APIFlask.

Run by hand: python bench/schema_libraries.py. Each variant serves
PUT /entries/<int:entry_id>/rating {"stars": n} -> {"rating": {...}, "my_rating": n}
with the same work behind it (none), so the difference is the library's parsing,
validation and serialisation. Measured with Flask's test client, no network.
"""

import statistics
import time

from flask import Flask, jsonify, request
from marshmallow import Schema, fields, validate

N = 5000


class RatingIn(Schema):
    stars = fields.Integer(required=True, validate=validate.Range(1, 5))


class Summary(Schema):
    average = fields.Float(allow_none=True)
    count = fields.Integer()
    score = fields.Float(allow_none=True)


class RatingOut(Schema):
    rating = fields.Nested(Summary)
    my_rating = fields.Integer()


SUMMARY = {"average": 4.2, "count": 17, "score": 3.9}


def hand_written():
    app = Flask(__name__)

    @app.put("/entries/<int:entry_id>/rating")
    def put_rating(entry_id):
        data = request.get_json(silent=True, force=True)
        stars = data.get("stars") if isinstance(data, dict) else None
        if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
            return jsonify(error={"code": "invalid_stars"}), 422
        return jsonify(rating=SUMMARY, my_rating=stars)

    return app


def smorest():
    from flask_smorest import Api, Blueprint

    app = Flask(__name__)
    app.config.update(API_TITLE="b", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    blp = Blueprint("b", __name__)

    @blp.put("/entries/<int:entry_id>/rating")
    @blp.arguments(RatingIn())
    @blp.response(200, RatingOut())
    def put_rating(data, entry_id):
        return {"rating": SUMMARY, "my_rating": data["stars"]}

    api.register_blueprint(blp)
    return app


def apiflask():
    from apiflask import APIFlask

    app = APIFlask(__name__)

    @app.put("/entries/<int:entry_id>/rating")
    @app.input(RatingIn())
    @app.output(RatingOut())
    def put_rating(entry_id, json_data):
        return {"rating": SUMMARY, "my_rating": json_data["stars"]}

    return app


def measure(make):
    client = make().test_client()
    for _ in range(200):
        client.put("/entries/7/rating", json={"stars": 4})
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(N):
            response = client.put("/entries/7/rating", json={"stars": i % 5 + 1})
            assert response.status_code == 200, response.data
        runs.append((time.perf_counter() - start) / N * 1e6)
    return statistics.median(runs)


if __name__ == "__main__":
    base = measure(hand_written)
    print(f"hand-written   {base:7.1f} µs/request")
    for name, make in (("flask-smorest", smorest), ("APIFlask", apiflask)):
        took = measure(make)
        print(f"{name:14} {took:7.1f} µs/request  (+{took - base:.1f} µs)")
