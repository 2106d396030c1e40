"""A city-scale workbook: one reported round of a city's 巡察办 (issue #20).

697 tasks under 3 方面 and 40 问题, led by 40 units, 2,091 indicators (three a task) and
20,910 observations (ten a indicator, monthly up to the as-of date). Deterministic: the
same seed writes the same workbook (``metrics.workbook.template.write_workbook``).

Realistic where the dashboard's first screen looks: deadlines around the as-of date, so
that red (overdue), yellow (indicators behind) and blue (due within 20 days) all occur;
statuses include 基本完成 and 申请延期 (同意, 待定, 不同意); indicators ahead of, on,
behind and far behind their schedule, and a few monitored without a target.

Usage::

    python scripts/city_workbook.py                 # test-output/bench/city_697.xlsx
    python scripts/city_workbook.py OUT.xlsx --seed 7
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

from metrics.workbook.template import write_workbook

ROOT = Path(__file__).resolve().parent.parent
Record = dict[str, object]  # a row of a sheet, keyed by the contract's field names
DEFAULT_OUT = ROOT / "test-output" / "bench" / "city_697.xlsx"
SEED = 20240630
AS_OF = datetime.date(2024, 6, 30)
FEEDBACK = datetime.date(2023, 8, 31)
TASKS = 697
INDICATORS_PER_TASK = 3
OBSERVATIONS_PER_INDICATOR = 10

CATEGORIES = (
    "（一）贯彻落实党的路线方针政策和党中央决策部署方面",
    "（二）落实全面从严治党战略部署方面",
    "（三）落实新时代党的组织路线方面",
)
PROBLEMS = (
    "学习贯彻习近平新时代中国特色社会主义思想不够深入",
    "贯彻新发展理念有差距",
    "推动高质量发展措施不力",
    "优化营商环境工作有短板",
    "防范化解重大风险有薄弱环节",
    "生态环境保护责任落实不到位",
    "城市更新和老旧小区改造推进缓慢",
    "民生实事办理质量不高",
    "教育资源配置不均衡",
    "医疗卫生服务能力不足",
    "乡村振兴战略落实有差距",
    "安全生产监管存在漏洞",
    "意识形态工作责任制落实不到位",
    "政府债务管理不规范",
    "主体责任落实不到位",
    "监督责任履行不充分",
    "形式主义官僚主义问题仍然存在",
    "违反中央八项规定精神问题时有发生",
    "重点领域廉政风险防控不力",
    "工程建设项目管理不规范",
    "国有资产管理存在漏洞",
    "财政资金使用监管不严",
    "政府采购和招投标不规范",
    "群众身边腐败和作风问题仍有发生",
    "巡察审计整改不彻底",
    "以案促改不深入",
    "领导班子建设有差距",
    "选人用人不够规范",
    "干部队伍结构不优",
    "干部考核激励机制不健全",
    "基层党组织建设薄弱",
    "党员教育管理不严格",
    "人才工作推进不力",
    "年轻干部培养选拔不足",
    "机构编制管理不规范",
    "干部人事档案管理不严",
    "党建与业务融合不够",
    "组织生活质量不高",
    "发展党员工作不规范",
    "离退休干部党建工作薄弱",
)
UNITS = (
    "市发展改革委",
    "市教育局",
    "市科技局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房城乡建设局",
    "市城市管理局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电和旅游局",
    "市卫生健康委",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市国资委",
    "市市场监管局",
    "市体育局",
    "市统计局",
    "市医保局",
    "市机关事务管理局",
    "市信访局",
    "市大数据局",
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市委政法委",
    "市纪委监委",
    "市委编办",
    "市直机关工委",
    "市总工会",
    "团市委",
    "市妇联",
)
FIELDS = (
    "老旧小区改造",
    "城中村拆迁安置",
    "黑臭水体治理",
    "校外培训机构监管",
    "义务教育学位供给",
    "基层医疗机构建设",
    "农村人居环境整治",
    "建筑工地扬尘管控",
    "政务服务事项办理",
    "企业欠薪治理",
    "养老服务设施建设",
    "食品安全监管",
    "燃气安全隐患排查",
    "违法建设治理",
    "停车设施建设",
    "垃圾分类处理",
    "农田水利设施管护",
    "国有企业资产处置",
    "专项资金拨付使用",
    "政府投资项目审批",
    "公车使用管理",
    "办公用房清理",
    "信访积案化解",
    "干部队伍建设",
    "基层党组织换届",
    "党员发展质量",
    "年轻干部选拔",
    "编制使用管理",
    "人事档案专项审核",
    "村级集体经济发展",
    "河道采砂管理",
    "安置房质量问题",
    "医保基金监管",
    "公共文化设施运营",
    "交通拥堵治理",
    "防汛设施建设",
    "消防通道整治",
    "营商环境投诉办理",
    "数据共享平台建设",
    "统计数据质量",
)
FAULTS = (
    "进展缓慢",
    "推进不力",
    "监管不到位",
    "整改不彻底",
    "台账不健全",
    "制度执行不严",
    "资金使用不规范",
    "问题反弹回潮",
    "责任落实不到位",
    "长效机制不健全",
    "群众反映强烈",
    "底数不清",
    "履职不到位",
    "审批不规范",
    "验收把关不严",
    "信息公开不及时",
    "配套措施不完善",
    "跟踪问效不够",
)
MEASURES = (
    ("完成整改事项", "项", "越大越好"),
    ("整改完成率", "%", "越大越好"),
    ("排查问题", "个", "越大越好"),
    ("建立制度", "项", "越大越好"),
    ("培训干部", "人次", "越大越好"),
    ("投入资金", "万元", "越大越好"),
    ("办结群众诉求", "件", "越大越好"),
    ("问题复发数", "个", "越小越好"),
    ("群众投诉量", "件", "越小越好"),
    ("月度督查次数", "次", "仅监测"),
)
DEADLINES_PAST = (
    datetime.date(2023, 12, 31),
    datetime.date(2024, 3, 31),
    datetime.date(2024, 5, 31),
)
DEADLINES_SOON = tuple(datetime.date(2024, 7, day) for day in (5, 10, 15, 20))
DEADLINES_LATER = (
    datetime.date(2024, 9, 30),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 6, 30),
)
# How far along an indicator is against its schedule: ahead, on track, behind, far behind.
PACES = ((1.15, 0.12), (0.97, 0.30), (0.75, 0.33), (0.35, 0.25))


def problem_of(index: int) -> tuple[str, str]:
    """The 方面 and numbered 问题 of problem ``index`` (0-based): 13, 13 and 14 problems."""
    category = min(index // 13, 2)
    number = index - 13 * category + 1
    return CATEGORIES[category], f"{number}.{PROBLEMS[index]}"


def city_rows(seed: int = SEED) -> dict[str, list[Record]]:
    """The rows of every sheet, keyed by ``write_workbook``'s argument names."""
    rng = random.Random(seed)
    titles = [f"{field}{fault}" for field in FIELDS for fault in FAULTS]
    rng.shuffle(titles)
    tasks: list[Record] = []
    indicators: list[Record] = []
    observations: list[Record] = []
    completed = 0
    for task_id in range(1, TASKS + 1):
        problem = (task_id - 1) * len(PROBLEMS) // TASKS
        category, problem_name = problem_of(problem)
        lead = UNITS[(task_id * 7) % len(UNITS)]
        shared = UNITS[(task_id * 11 + 3) % len(UNITS)]
        row, deadline = _task(rng, task_id, titles[task_id - 1], category, problem_name)
        row["lead_unit"] = lead
        row["responsible_units"] = shared if shared != lead and rng.random() < 0.4 else ""
        tasks.append(row)
        done = row["status"] in ("已完成", "长期坚持")
        completed += done
        for n in range(1, INDICATORS_PER_TASK + 1):
            indicator, figures = _indicator(rng, task_id, n, row, deadline, done)
            indicators.append(indicator)
            observations.extend(figures)
    meta: Record = {
        "title": "某市委巡察整改进展情况（模拟数据）",
        "organisation": "中共某市委巡察工作领导小组办公室",
        "as_of": AS_OF,
        "feedback_date": FEEDBACK,
        "reported_total": TASKS,
        "reported_completed": completed,
    }
    return {
        "tasks": tasks,
        "indicators": indicators,
        "observations": observations,
        "meta": [meta],
    }


def _task(
    rng: random.Random, task_id: int, title: str, category: str, problem: str
) -> tuple[Record, datetime.date]:
    roll = rng.random()
    if roll < 0.30:
        deadline = rng.choice(DEADLINES_PAST)
        status = _pick(rng, (("已完成", 0.78), ("基本完成", 0.06), ("申请延期", 0.06)), "正在整改")
    elif roll < 0.36:
        deadline = rng.choice(DEADLINES_SOON)
        status = _pick(rng, (("已完成", 0.3), ("基本完成", 0.2)), "正在整改")
    else:
        deadline = rng.choice(DEADLINES_LATER)
        status = _pick(
            rng,
            (("已完成", 0.32), ("长期坚持", 0.05), ("基本完成", 0.08), ("申请延期", 0.04)),
            "未启动" if rng.random() < 0.06 else "正在整改",
        )
    if len(title) < 12 and rng.random() < 0.15:
        title += f"（涉及{rng.randint(3, 16)}个区县）"
    row: Record = {
        "id": task_id,
        "category": category,
        "problem": problem,
        "title": title,
        "measures": f"一是全面排查{title[:6]}问题，建立台账；二是明确责任和时限，逐项整改销号；"
        "三是健全长效机制，防止问题反弹。",
        "responsible_leader": "",
        "deadline": deadline,
        "status": status,
    }
    if status == "已完成":
        day = min(deadline, AS_OF) - datetime.timedelta(days=rng.randint(0, 60))
        row["completed_on"] = day
        if rng.random() < 0.6:
            row["closed_on"] = min(day + datetime.timedelta(days=rng.randint(5, 30)), AS_OF)
    if status == "申请延期":
        row["extension_to"] = deadline + datetime.timedelta(days=rng.choice((92, 183)))
        row["extension_decision"] = _pick(rng, (("同意", 0.5), ("不同意", 0.2)), "待定")
    return row, deadline


def _indicator(
    rng: random.Random, task_id: int, n: int, task: Record, deadline: datetime.date, done: bool
) -> tuple[Record, list[Record]]:
    name, unit, direction = MEASURES[(task_id * 3 + n) % len(MEASURES)]
    indicator_id = f"T{task_id:03d}-{n:02d}"
    target_date = max(deadline, datetime.date(2024, 12, 31)) if not done else deadline
    if direction == "越小越好":
        baseline, target = float(rng.randint(40, 200)), float(rng.randint(0, 10))
    elif unit == "%":
        baseline, target = float(rng.randint(0, 30)), 100.0
    else:
        baseline, target = 0.0, float(rng.choice((10, 20, 50, 120, 300, 1500)))
    monitor = direction == "仅监测"
    indicator: Record = {
        "id": indicator_id,
        "task_id": task_id,
        "name": f"{str(task['title'])[:6]}{name}",
        "unit": unit,
        "direction": direction,
        "baseline": None if monitor else baseline,
        "baseline_date": FEEDBACK,
        "target": None if monitor else target,
        "target_date": None if monitor else target_date,
        "source": f"报告原句：{task['title']}，{name}。",
    }
    if done:
        pace = rng.choice((1.05, 0.97, 0.9))
    elif deadline in DEADLINES_SOON:  # due soon and on schedule: blue, not yellow
        pace = rng.choice((1.15, 0.97))
    else:
        pace = _pace(rng)
    span = (target_date - FEEDBACK).days
    figures: list[Record] = []
    for k in range(OBSERVATIONS_PER_INDICATOR):
        day = _month_end(AS_OF, OBSERVATIONS_PER_INDICATOR - 1 - k)
        if monitor:
            value = float(rng.randint(2, 12))
        else:
            expected = min(1.0, (day - FEEDBACK).days / span)
            share = min(1.0, expected * pace * rng.uniform(0.97, 1.03))
            value = baseline + (target - baseline) * share
        figures.append(
            {"indicator_id": indicator_id, "date": day, "value": round(value, 1 if unit else 0)}
        )
    return indicator, figures


def _pace(rng: random.Random) -> float:
    roll, running = rng.random(), 0.0
    for pace, share in PACES:
        running += share
        if roll < running:
            return pace
    return PACES[-1][0]


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...], otherwise: str) -> str:
    roll, running = rng.random(), 0.0
    for value, share in weighted:
        running += share
        if roll < running:
            return value
    return otherwise


def _month_end(day: datetime.date, back: int) -> datetime.date:
    """The last day of the month ``back`` months before ``day``'s."""
    month = day.year * 12 + day.month - 1 - back
    first_of_next = datetime.date((month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


def write_city_workbook(path: Path = DEFAULT_OUT, seed: int = SEED) -> Path:
    rows = city_rows(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(
        path,
        tasks=rows["tasks"],
        indicators=rows["indicators"],
        observations=rows["observations"],
        meta=rows["meta"][0],
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(f"wrote {write_city_workbook(args.out, args.seed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
