"""gongzhi (共治): community co-governance for street offices, communities and residents."""
