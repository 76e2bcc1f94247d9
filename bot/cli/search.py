"""`bot search QUERY... [--json] [--limit K]`: rank the procedures of both tiers for each query, with the
matcher's decision (answer / ask / none) and each result's tier."""

from __future__ import annotations

import argparse
import json

from bot.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("search", help="Tìm thủ tục theo câu hỏi")
    parser.add_argument("queries", nargs="+", metavar="QUERY")
    parser.add_argument("--json", action="store_true", help="Mỗi câu hỏi một dòng JSON")
    parser.add_argument("--limit", type=int, default=3, help="Số kết quả tối đa (mặc định 3)")
    parser.set_defaults(handler=_search)


def _search(args: argparse.Namespace, ctx: Context) -> int:
    from bot.cli.errors import CommandError
    from bot.core.catalog import CatalogError

    if args.limit < 1 or args.limit > 50:
        raise CommandError("--limit phải từ 1 đến 50.")
    try:
        # An empty database is filled from the catalog files first; they may be invalid.
        services = ctx.services()
        services.load_catalog_if_empty()
        guide = services.guide()
    except CatalogError as exc:
        raise CommandError(str(exc)) from None
    for query in args.queries:
        result = guide.search(query, limit=args.limit)
        if args.json:
            line = {
                "query": query,
                "decision": result.decision,  # answer | ask | none
                "results": [{"code": c.code, "name": c.name, "score": c.score, "tier": c.tier}
                            for c in result.candidates],
            }
            print(json.dumps(line, ensure_ascii=False))
        else:
            print(f"{query}:")
            if not result.candidates:
                print("  (không tìm thấy thủ tục phù hợp)")
            for c in result.candidates:
                tier = "" if c.tier == "curated" else f"  [{c.tier}]"
                print(f"  {c.score:5.1f}  {c.code}  {c.name}{tier}")
    return 0
