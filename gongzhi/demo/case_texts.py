"""What the demo's residents report, and what staff answer: a small table per category.

``{place}`` is the compound and building ("铁路一村3栋"). Invented, in the words residents
use on the 12345 line and in the community's problem list.
"""

import random

# Leaf category code → how often it comes up (in a hundred cases, roughly).
CATEGORY_WEIGHTS = {
    "environment.garbage": 10, "environment.sanitation": 6, "environment.ads": 4,
    "traffic.road": 7, "traffic.parking_violation": 7, "traffic.parking": 5,
    "public_works.street_light": 7, "public_works.sewer": 7, "public_works.water": 4,
    "public_works.power": 3, "public_works.gas": 2, "greenery": 4, "illegal_building": 4,
    "neighbour_dispute": 6, "public_safety.hazard": 5, "public_safety.fire_lane": 4,
    "elderly_disabled.elderly_alone": 5, "elderly_disabled.accessibility": 3,
    "property.service": 6, "property.elevator": 3, "property.fund": 2, "other": 2,
}

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "environment.garbage": [
        ("垃圾桶满溢无人清运", "{place}楼下的垃圾桶已经满了三天，没人清运，天热气味很大，招苍蝇。"),
        ("建筑垃圾堆放在楼道口", "{place}有住户装修，建筑垃圾堆在楼道口快一个星期了，进出不方便。"),
        ("垃圾站臭味大", "{place}旁边的垃圾站清运不及时，污水横流，臭味飘进家里，晚上不敢开窗。"),
    ],
    "environment.sanitation": [
        ("小区卫生死角无人打扫", "{place}后面的空地长期没人打扫，落叶和生活垃圾堆积，老鼠很多。"),
        ("楼道脏乱", "{place}楼道里很久没有清扫，墙上都是灰，扶手黏手，希望安排保洁。"),
    ],
    "environment.ads": [
        ("楼道小广告泛滥", "{place}楼道墙上贴满了开锁、疏通的小广告，撕了又贴，影响美观。"),
        ("违规悬挂横幅", "{place}门口有商户违规悬挂广告横幅，遮挡视线，刮风时很危险。"),
    ],
    "traffic.road": [
        ("路面坑洼积水", "{place}门口路面坑洼不平，一下雨就积水，老人小孩走路容易摔倒。"),
        ("井盖松动", "{place}出口的井盖松动，车辆经过哐当响，晚上很吵，也怕有人踩空。"),
        ("人行道地砖破损", "{place}附近人行道地砖破损翘起，已经有老人绊倒，请尽快修复。"),
    ],
    "traffic.parking_violation": [
        ("车辆乱停堵塞通道", "{place}门口经常有车乱停，把进出通道堵死了，救护车都进不来。"),
        ("僵尸车长期占用车位", "{place}楼下有辆僵尸车停了一年多，落满灰，占着车位没人管。"),
        ("电动车乱停乱放", "{place}单元门口电动车停得满满当当，轮椅和婴儿车都过不去。"),
    ],
    "traffic.parking": [
        ("小区停车难", "{place}所在小区车位太少，晚上回来没地方停，只能停到路边被贴罚单。"),
        ("希望增设电动车充电桩", "{place}没有电动车充电桩，有人从楼上拉线充电，建议增设充电桩。"),
    ],
    "public_works.street_light": [
        ("路灯不亮", "{place}门口的路灯坏了一个多星期，晚上一片漆黑，老人出门不安全。"),
        ("楼道灯坏了", "{place}楼道灯不亮，晚上上下楼只能打手电，希望尽快修好。"),
    ],
    "public_works.sewer": [
        ("下水道堵塞返水", "{place}一楼下水道堵塞，污水从地漏返上来，屋里一股臭味。"),
        ("化粪池满溢", "{place}旁边的化粪池满了，污水流到路面上，气味难闻。"),
        ("雨水管道堵塞", "{place}门口雨水口被堵住，下雨天积水到小腿，出行困难。"),
    ],
    "public_works.water": [
        ("停水没有通知", "{place}今天突然停水，没有提前通知，家里老人做饭洗漱都成问题。"),
        ("水压太低", "{place}楼上几层水压很低，早晚用水高峰热水器都打不着火。"),
    ],
    "public_works.power": [
        ("频繁停电", "{place}这个月已经停了三次电，冰箱里的东西都坏了，请查一下线路。"),
        ("电线老化私拉乱接", "{place}外墙电线老化、私拉乱接，下雨时冒火花，非常危险。"),
    ],
    "public_works.gas": [
        ("楼道有燃气味", "{place}楼道里闻到燃气味，担心管道漏气，请尽快派人检查。"),
    ],
    "greenery": [
        ("树枝遮挡窗户", "{place}旁边的大树长得太高，树枝伸进阳台，遮光又招虫，希望修剪。"),
        ("枯树有倒伏危险", "{place}门口有棵枯树，大风天摇摇晃晃，怕倒下来砸到人和车。"),
        ("绿化带被毁种菜", "{place}门前绿化带被人挖了种菜，还浇粪水，味道很大。"),
    ],
    "illegal_building": [
        ("楼顶违章搭建", "{place}顶楼住户在楼顶私自搭建彩钢房，影响楼顶防水和安全。"),
        ("一楼住户私自扩建", "{place}一楼住户把院子围起来扩建，占用了公共通道。"),
    ],
    "neighbour_dispute": [
        ("楼上噪音扰民", "{place}楼上住户每天深夜拖动家具、蹦跳，多次沟通无果，影响休息。"),
        ("楼上漏水协商不成", "{place}楼上卫生间漏水渗到我家天花板，找楼上协商维修一直推脱。"),
        ("养狗扰民", "{place}有住户养的狗整夜叫，还在楼道里随地大小便。"),
    ],
    "public_safety.hazard": [
        ("外墙瓷砖脱落", "{place}外墙瓷砖脱落，砸坏了楼下的车棚，担心砸到行人。"),
        ("楼道飞线充电", "{place}有住户从窗户拉电线给电动车充电，存在火灾隐患。"),
        ("高空抛物", "{place}多次有人从楼上往下扔垃圾和杂物，差点砸到小孩。"),
    ],
    "public_safety.fire_lane": [
        ("消防通道被占", "{place}旁边的消防通道被杂物和车辆占用，万一着火消防车进不来。"),
        ("楼道堆放杂物", "{place}楼道里堆满旧家具、纸箱，影响逃生，灭火器也过期了。"),
    ],
    "elderly_disabled.elderly_alone": [
        ("独居老人需要帮扶",
         "{place}住着一位八十多岁的独居老人，子女在外地，最近腿脚不便，买菜困难。"),
        ("老人多日未出门", "{place}的独居老人好几天没见出门，敲门没人应，请社区去看看。"),
    ],
    "elderly_disabled.accessibility": [
        ("希望加装电梯", "{place}是七层老楼，住了很多老人，上下楼困难，希望推动加装电梯。"),
        ("单元门口缺无障碍坡道", "{place}单元门口有台阶没有坡道，坐轮椅的住户出不了门。"),
    ],
    "property.service": [
        ("物业服务不到位", "{place}物业收了物业费，但保洁一周才来一次，门禁坏了也没人修。"),
        ("门禁损坏", "{place}单元门禁坏了一个月，陌生人随便进出，住户很担心安全。"),
    ],
    "property.elevator": [
        ("电梯经常故障", "{place}电梯这个月坏了好几次，还发生过困人，维保单位不负责。"),
        ("电梯停运", "{place}电梯停运三天了，楼上老人下不了楼，请尽快修复。"),
    ],
    "property.fund": [
        ("屋顶漏水申请维修资金",
         "{place}顶楼屋面防水层老化漏水，需要动用维修资金大修，不知道怎么申请。"),
    ],
    "other": [
        ("咨询老旧小区改造", "{place}什么时候能纳入老旧小区改造？居民想了解改造内容和时间。"),
    ],
}

# Category code (or its first part) → what the handler writes when done.
RESULTS = {
    "environment": ["已协调环卫清运，现场已清理干净，并增加清运频次。",
                    "已安排保洁人员彻底清扫，纳入每周巡查。"],
    "environment.ads": ["已清除小广告，约谈张贴商户并张贴文明提示。"],
    "traffic.road": ["已安排市政维修，路面已修补完毕。", "已更换井盖并加固。"],
    "traffic.parking_violation": ["已联合交警劝离违停车辆，并施划禁停标线。"],
    "traffic.parking": ["已协调周边单位错时共享车位，缓解停车压力。"],
    "public_works": ["已联系维修人员到场，故障已排除，恢复正常。"],
    "public_works.sewer": ["已疏通管道并清理淤积，后续纳入定期巡查。"],
    "greenery": ["已安排园林工人修剪树枝、移除枯树。"],
    "illegal_building": ["执法队员已到现场，当事人已自行拆除违建部分。"],
    "neighbour_dispute": ["网格员和调解员上门调解，双方达成一致意见。"],
    "public_safety": ["已清理杂物、拆除飞线，并张贴安全提示。", "已设置警戒区并安排修复外墙。"],
    "elderly_disabled.elderly_alone": ["已安排志愿者每周上门探访，并为老人申请助餐服务。"],
    "elderly_disabled.accessibility": ["已纳入加装电梯意愿征集，召开楼栋议事会协商。",
                                       "已在单元门口增设无障碍坡道和扶手。"],
    "property": ["物业已完成维修，并承诺加强日常管理。", "已召开业主、物业协商会，明确整改时限。"],
    "other": ["已向居民解释政策，并登记意见转交街道。"],
}


def result_for(rng: random.Random, code: str) -> str:
    return rng.choice(RESULTS.get(code) or RESULTS[code.split(".")[0]])


REJECT_REASONS = ["属于司法诉讼范围，已告知通过法律途径解决",
                  "反映内容不在本社区辖区，已告知向属地社区反映",
                  "属于个人之间的合同纠纷，不在受理范围",
                  "信息不全且多次联系不上反映人"]
ESCALATE_REASONS = ["涉及多个部门，社区协调不了，申请街道吹哨",
                    "需要执法部门到场处理，社区无执法权", "问题反复出现，需要街道统筹解决"]
FIVE = {
    "need": "反映人希望尽快解决，恢复正常生活",
    "cause": ["设施老化，长期缺乏维护", "责任主体不明确，多方推诿", "个别住户不配合"],
    "plan": ["联系责任单位上门处理，网格员全程跟进", "召开楼栋议事会，协商解决方案"],
}
_COMMENTS = {
    "satisfied": ["处理很及时，谢谢社区！", "网格员很负责，点赞", "问题解决了，很满意"],
    "basic": ["问题解决了，就是时间有点长", "基本解决，希望以后多巡查"],
    "unsatisfied": ["问题没有彻底解决，又出现了", "只是临时处理了一下，没有根治"],
}


def comment(rng: random.Random, rating: str) -> str:
    return rng.choice(_COMMENTS[rating])
