"""The API's blueprint: its arguments are read by the parser that speaks API.md's errors."""

from flask_smorest import Blueprint

from contest.api.parsing import JsonParser


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonParser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="Ginga's public API")
