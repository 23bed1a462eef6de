"""The default category tree (group › category) with time limits and keywords.

Time limits follow the Beijing 12345 service norm (REFERENCES.md): online submissions are
accepted within 2 h; water, power, gas and heating are handled within 24 h (1 working day);
general requests within 7 days; complex ones (disputes, illegal building, funds) within 15.
Urgent cases (risk to life or property) get 1 h to respond and the shortest resolution limit.
Codes are stable identifiers (Open311 service codes): change names freely, never codes.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    response_hours: int
    resolution_workdays: int
    urgent_response_hours: int
    urgent_resolution_workdays: int


GENERAL = Limits(2, 7, 1, 2)
# Water, power, gas and heating: within 24 h.
UTILITY = Limits(2, 1, 1, 1)
# Quick fixes that residents feel every day (garbage, a broken lift).
QUICK = Limits(2, 3, 1, 1)
COMPLEX = Limits(2, 15, 1, 5)


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    limits: Limits = GENERAL
    keywords: str = ""
    children: tuple["Spec", ...] = field(default_factory=tuple)


DEFAULT_CATEGORIES: tuple[Spec, ...] = (
    Spec("environment", "市容环境", keywords="市容 环境", children=(
        Spec("environment.garbage", "垃圾清运", QUICK,
             "垃圾 垃圾桶 垃圾站 清运 清理 堆放 建筑垃圾 满溢 臭味"),
        Spec("environment.sanitation", "环境卫生", GENERAL,
             "卫生 脏乱 清扫 污水 粪便 蚊虫 老鼠 异味"),
        Spec("environment.ads", "违规广告", GENERAL,
             "小广告 广告 牛皮癣 张贴 横幅 招牌"),
    )),
    Spec("traffic", "道路交通", keywords="道路 交通", children=(
        Spec("traffic.road", "道路破损", GENERAL,
             "道路 路面 坑洼 破损 塌陷 井盖 人行道 积水"),
        Spec("traffic.parking_violation", "车辆乱停乱放", QUICK,
             "乱停乱放 乱停 违停 占道 僵尸车 堵路 电动车"),
        Spec("traffic.parking", "停车难", COMPLEX,
             "停车难 停车位 车位 停车场 停车 充电桩"),
    )),
    Spec("public_works", "市政设施", keywords="市政 设施", children=(
        Spec("public_works.street_light", "路灯照明", GENERAL,
             "路灯 照明 不亮 楼道灯 灯 黑"),
        Spec("public_works.sewer", "下水道堵塞", QUICK,
             "下水道 堵塞 管道 返水 化粪池 排水 雨水"),
        Spec("public_works.water", "供水", UTILITY,
             "停水 供水 水压 自来水 水管 漏水 水质"),
        Spec("public_works.power", "供电", UTILITY,
             "停电 供电 跳闸 电线 电表 断电"),
        Spec("public_works.gas", "燃气", UTILITY,
             "燃气 煤气 天然气 停气 漏气 燃气表"),
        Spec("public_works.heating", "供暖", UTILITY,
             "暖气 供暖 不热 暖气片 采暖 温度"),
    )),
    Spec("greenery", "园林绿化", GENERAL,
         "绿化 树木 树枝 修剪 草坪 绿化带 枯树 倒伏"),
    Spec("illegal_building", "违法建设", COMPLEX,
         "违建 违章搭建 私搭乱建 违法建设 搭建 加盖 封闭阳台"),
    Spec("neighbour_dispute", "邻里纠纷", COMPLEX,
         "纠纷 邻居 噪音 扰民 漏水 矛盾 吵架 宠物"),
    Spec("public_safety", "公共安全", keywords="安全", children=(
        Spec("public_safety.hazard", "安全隐患", GENERAL,
             "安全隐患 隐患 外墙 脱落 高空抛物 飞线充电 危险 坠落"),
        Spec("public_safety.fire_lane", "消防通道", QUICK,
             "消防通道 消防 堵塞 杂物 楼道 灭火器"),
    )),
    Spec("elderly_disabled", "为老助残", keywords="老人 残疾人", children=(
        Spec("elderly_disabled.elderly_alone", "独居老人帮扶", QUICK,
             "独居老人 老人 独居 帮扶 看望 送餐 空巢"),
        Spec("elderly_disabled.accessibility", "无障碍设施", GENERAL,
             "无障碍 坡道 扶手 轮椅 盲道 残疾人 加装电梯"),
    )),
    Spec("property", "物业管理", keywords="物业", children=(
        Spec("property.service", "物业服务", GENERAL,
             "物业 物业费 保安 保洁 门禁 服务态度"),
        Spec("property.elevator", "电梯故障", UTILITY,
             "电梯 困人 故障 坏 停运 维保"),
        Spec("property.fund", "维修资金", COMPLEX,
             "维修资金 专项维修资金 公共维修 大修 屋顶 防水"),
    )),
    Spec("other", "其他", GENERAL, ""),
)


def flatten() -> list[tuple[Spec, Spec | None, int]]:
    """(spec, its group or None, display order): groups by tens, their categories after."""
    out: list[tuple[Spec, Spec | None, int]] = []
    for g, group in enumerate(DEFAULT_CATEGORIES, start=1):
        out.append((group, None, g * 10))
        out.extend((child, group, g * 10 + c) for c, child in enumerate(group.children, 1))
    return out
