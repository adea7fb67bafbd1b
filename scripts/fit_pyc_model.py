"""Fit the model of ``.pyc`` bytes that the installed-size estimate uses, per Python minor.

Usage: python scripts/fit_pyc_model.py --python INTERPRETER [--python INTERPRETER ...]
       [--out data/pyc-model.json] [--downloads DIR] [--compiled FILE]

Source data: the wheels in FIT_WHEELS and HELD_OUT_WHEELS below, downloaded from PyPI and
checked against their sha256. None of them is a wheel that scripts/compare_sizes.py compares
(the example apps' largest), so that table tests the model on wheels it never saw.

For each INTERPRETER (a CPython of the minor to fit, run with ``-I``), every module pip
would compile is unpacked into a scratch folder and compiled the way pip does at install,
``compileall.compile_file(path, force=True, quiet=...)`` with warnings ignored, the code
objects naming the module's path under that minor's /usr/local/lib/pythonX.Y/site-packages
(as in the official images); nothing is imported or run, and a module that minor cannot
compile gets no .pyc, as with pip. The .pyc size is then modelled from what the wheel's zip
central directory says of the module (wheelcheck._advise.size.module_features: its size,
its deflated size, whether it is test code or other code in a tests/ folder), by least
squares over the modules of FIT_WHEELS weighted by 1/pyc, and the fit is checked on
HELD_OUT_WHEELS, whose error per wheel is printed and kept in the output. Each
interpreter's fit is written under its minor in `--out`, beside the fits of other minors
already there. `--compiled` keeps the measured
.pyc sizes (per wheel and Python version) so a second run refits without compiling.

The shipped data/pyc-model.json was made with CPython 3.8.18, 3.9.18, 3.10.13, 3.11.7,
3.12.1 and 3.13.0, one --python each.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from wheelcheck._advise.size import PYC_FEATURES, compiled_member, module_features
from wheelcheck._metadata.zipread import ZipEntry

FIT_WHEELS = [
    ("https://files.pythonhosted.org/packages/a2/09/77d55d46fd61b4a135c444fc97158ef34a095e5681d0a6c10b75bf356191/sympy-1.14.0-py3-none-any.whl", "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/7a/ee/9926603a1f7e88b41bc0d1e068e889fc84981553fb4e6037426d6b174da3/sqlalchemy-2.1.9-py3-none-any.whl", "449fed5c2caa3b278cc57499d09db001fb3f28dc7f18affc48142aee4dcc0cdf"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/ef/55/6dc6d6bb953bdfc52519a0059592c52b6e3b8ad51cf8256dffceb55b0610/setuptools-84.2.1-py3-none-any.whl", "ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/07/25/ee8c38ae72d66b844ce8eb9711ba905dba21ca1a8a0c960057c41cd23337/pip-26.3-py3-none-any.whl", "f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/7e/cd/fe58041e9011f307c490e3e17dd48cc516448f7c698a3f2d9d9d65d7e6a8/networkx-3.7-py3-none-any.whl", "e3fd2c13a7814cee3746340d8d7f8598a67f16a58bf47fb7f8793fab6efca1b0"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/71/46/17f022dd3e953bf20a04a028a21ec746d942f8d2af30fa0f124fa0e6a684/pygments-2.21.0-py3-none-any.whl", "2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/32/91/30151a39f7570f448ed84529390628a651d7f27c87d73c9b887f8189695e/docutils-0.23-py3-none-any.whl", "25d013af9bf23bc1c7b2b093dff4208166c53a94786c9e447808335ef1185fea"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/c4/28/a0c50761cd215b7042f4bc617a6bc5c0cd7be62f75bc908e169e28a4d21e/sphinx-9.2.0-py3-none-any.whl", "4c3ec13b612712c0d3ce4cbdd9e3eb91e68577e07a8e31f32f21cf178453578c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/10/93/fdfa79229fdc19a6542086d46b5c5d424ee62a6408d25657e8690e0a745f/twisted-26.10.0-py3-none-any.whl", "3732f42af218925a0fe78d6668db55853f7fb532245a89a2669babe7d3000fa8"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/b4/89/5235509abac00f5c470d5d8edae908bcec79d1c09803485ce57c25ccbed1/pylint-4.1.4-py3-none-any.whl", "b39fcc762ec4a7fe385d01b8e170fd996847297cdc0e3850bdda1435c74cfd95"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/16/d4/f23c0ac6e6de33ba5686cb21c672c95e0c2d3d4c9351f16d3b5fed818652/astroid-4.3.4-py3-none-any.whl", "2bcd0d02648a443a4b818c952c3550091989daefac3c12d3b83b2289482e0818"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/01/f8/c151e196d4f397ed9436a071e52666c70a2f021138dea828b0a461e245db/hypothesis-6.155.7-py3-none-any.whl", "9f634bdb1f9e9b8ab6ba09431cf2deedb750c96978125a6fb3c5a0f6c6db4131"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/38/bb/d215ee7c73b61497b28a5503f9f53523f294fcc936762b7caf90e0c1c2b5/pyparsing-3.3.3-py3-none-any.whl", "ece8c00a69cf01b45d0b1dedabb469c90d8caf996d4fda40f147627a122849a4"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/76/54/f1a9cf45b52014d221d8ef4b29f13df8e11fbd8dba854a075ac3f3b16dcf/faker-40.63.0-py3-none-any.whl", "36627c20b575b4138f54b6c21f8703e9ab122fd487aca11319beec2aa6ca7232"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/b1/28/9dd29175c1db777e6189e2a0bb5f37101adf19c3e509b236c8920f778d0b/black-26.10.1-py3-none-any.whl", "28842f9a8207cc1df6eb983a35a14c5a0dfcd603d214fe82d84bef552afd2e3a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/d3/54/3fa521cbe5b1fdfce94ee45c87c7566bb7260d212ddde4a1260726d5da92/boto3-1.44.8-py3-none-any.whl", "099caf21553bbbfef118904aa02fadb8776a534704cf00bede0ed9f29a4da88e"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/51/39/1f5d8c8877a0fa327db959c19341d4be61660de1ab6b7391f9eb805bcd67/pytest-9.2.0-py3-none-any.whl", "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/aa/23/f8a12a7c3d6877618b87ec3e86c9dab6948deb67158e9e764507e2db264d/anthropic-2.16.0-py3-none-any.whl", "fda498e294f8e29cda37862d8cdfa9721dd8ac9489b1c6d5fefadcd6f01d3b33"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/e5/7d/905a3a3d51087515719058c94cfbda2ff0fc14417c20d557ae3e82d8b250/plotly-7.1.0-py3-none-any.whl", "dbb7fa18afce40d0a8e80d1bf162eceb3faa0ce5a77fe741ad09a74cf78f53f3"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/dd/e3/4dcdf5799f37a81fc147cf12ff520321132abb4aa7b682d75151fcbe6e47/transformers-5.25.0-py3-none-any.whl", "8ca7a96cc329e5a053c9e770711e73d7bd9d77240ff62049fca6d253965cda52"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/a5/2a/e71c1a7d90e70da67b88ccc609bd6ae54798d5847369b15d3a8052232f9d/scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl", "74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/c8/9e/bb4b445924591c09e6451da66274ee4afd3acb783f15c17c3623b9a4824a/kubernetes-37.0.2-py2.py3-none-any.whl", "d72683392fc10f59fb78b89bd91cb3be60a05d6ff0bbb2150966a224af6edc03"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/f8/3a/4fc99e788bcfa1b3b3f21abf57da45898d807d007e7f6fd1c7300904eb70/dask-2026.8.0-py3-none-any.whl", "ccc0c83a189b0398602435189771d28dad7b5773b6089bb8dce14ae732dd782c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/2c/c3/428b852ffffcf6b35d046124121e75824827d222d8ada3cb19c32a47f92e/mistralai-3.7.0-py3-none-any.whl", "23ceda7ae52557578427af5a9caffb2222cd11dd7d43eb1792ded35b2a84d939"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/2f/17/07eed244563fb67782ea5ed3ec8646390d9baccb8a02b0d8bc42a6cdd064/botocore-1.44.8-py3-none-any.whl", "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043"),  # noqa: E501
    # Added second: the newest cp311 x86_64 (or pure) wheel of 26 scientific and other
    # projects that ship their tests, sorted by file name, every third one held out.
    ("https://files.pythonhosted.org/packages/bc/00/7cc035e2a08b9186cfbd0b5d3dd3967481f64722c3af69416edc8a182fd7/arch-8.0.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl", "975ec3bdf7926335742ac362251fafe32b448b8f194dead062f22a00beef772d"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/8e/99/38c7788cd244bb68cd264fab0f0a2f7bca2592c1fc72b77438ccb0f5f22a/bottleneck-1.6.1-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl", "ff54edec6ebb9263ed42653e6cb311853befe6f206c3163bc30de5715fa2481b"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/28/d4/017e2d39d797eaa38a52b4459c8bea875d5e0ada335a62aafe98193041a6/distributed-2026.8.0-py3-none-any.whl", "3bd8882861a2cf497453f28c6b61135fa8ef2bb1d6885ad3b9f27e887e9c0e01"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/c7/26/10e1061c79b388621b7bae46fcd4942a8c62f960018adf4c38719e9e91ac/geopandas-1.2.0-py3-none-any.whl", "948fd57df4f713697d5cce149333c0e4714965320c9f5ffa411666c577962eba"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/91/54/760ccac7d8feeea0c191767a6b025d3ca5014084443ff48afb6fb24ef056/imbalanced_learn-0.14.2-py3-none-any.whl", "f9b81c47231aa1e3a71a1e4b3cc85b42e3b14f85e3a36922f3323c4da23605ef"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/bb/1c/91da4a1c541b75e97eb99d09c6a9b0534de55bb4a466669d1170e39b915c/ipython-9.18.1-py3-none-any.whl", "997ce9140d374531a61069c70c0f9ef299d6dd3559ea0f94b8af589726e3c1d5"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/8a/fb/5ed80a8932630d4ae33af186a87008c9b48f02bc515380acc1a4b1fec162/lifelines-0.30.3-py3-none-any.whl", "44802480a28d6cb836c7fea4a54ec0ba220eb31c6d7444589637a8bd66066e8c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/84/aa/fffb035044554fc3fbffce6461293a1be7d511e6089f7b8dd616a97a5dae/linearmodels-7.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl", "59c60edf9471d3f0c50c4da46fac696833c59d2568ca241547a3ccb6444af3bd"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/3b/d7/601b6396b33536811668935faa790112266c70661be94555999be431f86f/nibabel-5.4.2-py3-none-any.whl", "553482c5f1e1034fc312edf6fb7f32236c0056439845d1c29293b7e8c98d4854"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/cc/0c/7cfda35338753113a01e8ba5b9e7736c5c66e6af3e548b5cdb16ffb75f6a/numba-0.68.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", "58fe7a3810261cf13797d8aa94c018cfe91e1e8adf634df60eb60ef834f9367b"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/20/70/cd3cf5cff538323076a879edef02cce6f13f7d75e03d12f211b0a0dbd178/patsy-1.0.3-py2.py3-none-any.whl", "d3dbebe8fd5f46e29912d030b63c6268647b59bf788a99e2af28a30234cf357c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/fc/35/738c2a5db160e58c90ab0ad73f77ad1c1f82fa7e2dbaca01b5a04dbc1c00/pingouin-0.7.0-py3-none-any.whl", "6ad8cee3f498d1c15deb74996264961b9bfaf126382847570b090ad5ac1b621f"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/e5/e0/050018d855d26d3c0b4a7d1b2ed692be758ce276d8289e2a2b44ba1014a5/pyerfa-2.0.1.5-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "0e43c7194e3242083f2350b46c09fd4bf8ba1bcc0ebd1460b98fc47fe2389906"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/ad/ab/9bdb4a6216b712a1f9aab1c0fcbee5d3726f34a366f29c3e8c08a78d6b70/pyproj-3.7.2-cp311-cp311-manylinux_2_28_x86_64.whl", "281cb92847814e8018010c48b4069ff858a30236638631c1a91dd7bfa68f8a8a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/83/11/00d3c3dfc25ad54e731d91449895a79e4bf2384dc3ac01809010ba88f6d5/seaborn-0.13.2-py3-none-any.whl", "636f8336facf092165e27924f223d3c62ca560b1f2bb5dff7ab7fad265361987"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/dc/20/56289b91914b62a0849de3c1efe5f0cfd5b5d7ba168568567900087615be/shapely-2.2.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl", "5d61088e2ef71dafad0dd4fae8a521cc1f20da4a89d3096bab5b3260b39b3052"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/38/4d/c65ea949a3cdc185f1afac8c337074d4f2d029b48293d2db4d2c3dea4849/tornado-6.6.1-cp311-abi3-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl", "1b6ff57cc69b339f8feb9e7b567b0e0eacb16bfaf234159496623ef7a67ba640"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/c3/bf/c15b89f3381a8e84be8d1b7c4afa26a456f09489940b0c5bdad8f5fd9cdb/zope_interface-8.7-cp311-cp311-manylinux1_x86_64.manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_5_x86_64.whl", "1613beb1fb1b4f457818c5443e985142ec9e71af391bfb26e583e0353f206792"),  # noqa: E501
]  # fmt: skip

HELD_OUT_WHEELS = [
    ("https://files.pythonhosted.org/packages/94/50/4ecff21d2ff5f867aa05c48b5f4338c80bae51d9dcbd943b373cb52ca71c/stripe-16.1.0-py3-none-any.whl", "3798e07a0603c8923710414cd1942ae847ed43cebbf34c3258417c189711ea70"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/8a/8c/824a686c4ba815ddb0722f9e66272088bccd4e1ae1d2f7015375e4a4fc7f/pydantic-2.14.4-py3-none-any.whl", "653a2ad9f6d8858529c77c72717d0ea991d6c6837fe683246b2f4b2bbfc3fadc"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/3f/f6/c3d8ea3194d7d7d8292edd4dbb4b6832d29c2eab04887dda4a742e83902c/groq-1.7.0-py3-none-any.whl", "cb1518f823423d4e52445859eb7d2918a927794cec12f8d5e50d9161e3690fc8"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/ea/3e/521a1faca0fb0d472148362c073e2d21edf1ceff445d3b02e044a5948d28/cohere-7.3.1-py3-none-any.whl", "89fff06d20c0e70c96678948599c0fb9e7d5e4241c2592a16fdd111a84e11d5a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/ca/b9/10a8bb13a0462e0bc4e02c0b7b8237dc24ab590f5bb4be94bec5e8f1d532/altair-6.3.0-py3-none-any.whl", "7defb6ca730676dfc99a299768e2769f51585fcb3dc960ea71aacc368929d65e"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/42/c2/0e9849f6591dd113a1f217e061a9be1de766819bc076c7c7c8cb24851432/astropy-8.0.2-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl", "000d6998bcf4f097257b3776f29f1dafde0967bf1b091edbad95df564eee4eea"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/3f/44/3159af4fb3c868970a412e294320ed6bb1a9fbdfa6431050eda8e0b34b6e/xarray-2026.9.0-py3-none-any.whl", "fe349fa871628b1a0a5217af3fe1283a2862d5485156e6eda354fffb81c3bb7c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/21/5c/6e8010f8f2c4ad817364592d4b3883633417269b913fc9d5174fdeb7e565/mypy-2.4.1-py3-none-any.whl", "1784648d6ec8c2b5465e3f26241b845a0b3cb4e56c993c64abe16989e7698999"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/92/68/e351109f7732f193133c67fbf104178f79b534a925db8f69c074fd190c2c/sqlglot-30.31.0-py3-none-any.whl", "51a876a43edecf8ee6fd4c872cf6713d899c4234256bba0be96a8c7c8d8781e8"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/45/e5/c6cf8e478a18446bd841afae7a3136d06ef6334494817a8106ac156a7889/cvxpy-1.9.3-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl", "bd38e86758d2d985b1dae104a4f2119351891e73e64380b07437065889f7f0e0"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/52/a0/c1f604538ff6db22a0690be2dc44ab59178e115f63c917794e529356ab23/h5py-3.16.0-cp311-cp311-manylinux_2_28_x86_64.whl", "fb1720028d99040792bb2fb31facb8da44a6f29df7697e0b84f0d79aff2e9bd3"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/69/90/f63fb5873511e014207a475e2bb4e8b2e570d655b00ac19a9a0ca0a385ee/jsonschema-4.26.0-py3-none-any.whl", "d489f15263b8d200f8387e64b4c3a75f06629559fb73deb8fdfb525f2dab50ce"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/13/f2/abeec3db71d221ccd3cd89d206be1fabf5a3ee7178862f5fba23a59607e0/mpmath-1.4.1-py3-none-any.whl", "dc4f0ea2304480d4a9a48a94c1020571558ade522b44a6912efac63a586e140f"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/d6/15/9a7bf92b7c8047157fd96bc42ff6b0a20351f43aa58b9f61eb8f5ff3048b/numexpr-2.14.2-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", "f41170e9d0dbba76851e35d80cfa9f4ca5fe78628c5bf24d941cf3364940ab7a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/b7/d5/01ea71591a29e88926582e3ca7ed32f8b933e9ebc99187a7ab100587242d/pint-0.26.2-py3-none-any.whl", "c94124cdb19baa1a84bb65c8bb9a620a9636b9b9cd80f32f30ad7ff795ea2eb8"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/d8/8c/f316a153f7f89d2753df8a7371d15d0faab87e709fe02715dbc297c79385/pywavelets-1.9.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", "d76b7fa8fc500b09201d689b4f15bf5887e30ffbe2e1f338eb8470590eb4521a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/99/29/c2dc674ea70fa9a4819417289a9c0d3e4780835beeed573eb66964cfb763/tables-3.11.1-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl", "1e78fe190fdeb4afe430b79651bae2a4f341904eb85aa8dbafe5f1caee1c7f67"),  # noqa: E501
]  # fmt: skip

# Run by each interpreter: pip's compile step (pip/_internal/operations/install/wheel.py).
COMPILE = r"""
import compileall, importlib.util, json, os, sys, warnings
root, site, paths = json.load(sys.stdin)
warnings.filterwarnings("ignore")
sizes = []
for rel in paths:
    full = os.path.join(root, rel)
    ok = compileall.compile_file(full, ddir=site + os.path.dirname(rel), force=True, quiet=2)
    pyc = importlib.util.cache_from_source(full)
    sizes.append(os.path.getsize(pyc) if ok and os.path.exists(pyc) else None)
json.dump({"python": sys.version.split()[0], "sizes": sizes}, sys.stdout)
"""

Module = tuple[ZipEntry, int]  # a module's directory entry and its measured .pyc bytes


def download(url: str, sha256: str, where: Path) -> Path:
    """The wheel at `url`, fetched once into `where` and checked against `sha256`."""
    path = where / url.rsplit("/", 1)[1]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        with urllib.request.urlopen(url, timeout=300) as response:  # TLS verified by default
            data = response.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise SystemExit(f"{url}: sha256 mismatch")
        path.write_bytes(data)
    return path


def minor_of(python: str) -> tuple[str, str]:
    """(minor, full version) of the interpreter `python`."""
    code = "import sys; print('%d.%d' % sys.version_info[:2], sys.version.split()[0])"
    minor, version = subprocess.run(
        [python, "-I", "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return minor, version


def entries_of(archive: zipfile.ZipFile) -> list[ZipEntry]:
    """The members pip compiles, as the central directory describes them."""
    return [
        ZipEntry(i.filename, i.compress_size, i.file_size, i.header_offset, i.compress_type)
        for i in archive.infolist()
        if not i.is_dir() and compiled_member(i.filename)
    ]


def compile_sizes(wheel: Path, python: str, minor: str) -> list[int | None]:
    """The .pyc bytes `python` writes for each compiled module of `wheel` (None: it cannot
    compile that module)."""
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as scratch:
        entries = entries_of(archive)
        for entry in entries:
            archive.extract(entry.name, scratch)
        site = f"/usr/local/lib/python{minor}/site-packages/"
        job = json.dumps([scratch, site, [entry.name for entry in entries]])
        done = subprocess.run(
            [python, "-I", "-c", COMPILE], input=job, capture_output=True, text=True, check=True
        )
    sizes: list[int | None] = json.loads(done.stdout)["sizes"]
    return sizes


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gaussian elimination with partial pivoting)."""
    n = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for r in range(column + 1, n):
            factor = rows[r][column] / rows[column][column]
            rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (rows[r][n] - sum(rows[r][c] * x[c] for c in range(r + 1, n))) / rows[r][r]
    return x


def least_squares(rows: list[tuple[tuple[int, ...], int]]) -> list[float]:
    """Coefficients minimising the sum of w * (features . c - pyc)^2 with w = 1/pyc: a
    module's error counts relative to its size's square root, so neither the few huge
    generated modules nor the many tiny ``__init__.py`` files decide the fit alone.
    Columns are scaled to unit size first, for a well-conditioned solve."""
    k = len(PYC_FEATURES)
    scale = [math.sqrt(sum(x[j] ** 2 for x, _ in rows) / len(rows)) or 1.0 for j in range(k)]
    normal = [[0.0] * k for _ in range(k)]
    right = [0.0] * k
    for features, pyc in rows:
        x = [value / s for value, s in zip(features, scale, strict=True)]
        w = 1.0 / pyc
        for i in range(k):
            right[i] += w * x[i] * pyc
            for j in range(k):
                normal[i][j] += w * x[i] * x[j]
    return [c / s for c, s in zip(solve(normal, right), scale, strict=True)]


def wheel_errors(
    modules: list[Module], other_bytes: int, coefficients: list[float], ratio: float
) -> tuple[float, float]:
    """(error of the wheel's .pyc total, error of its installed total: files plus .pyc)."""
    real = sum(pyc for _, pyc in modules)
    model = sum(
        sum(
            c * x for c, x in zip(coefficients, module_features(e, stored_ratio=ratio), strict=True)
        )
        for e, _ in modules
    )
    installed = other_bytes + sum(e.uncompressed_size for e, _ in modules) + real
    return (model - real) / real, (model - real) / installed


def measured(
    wheels: dict[str, Path], python: str, compiled: dict[str, dict[str, list[int | None]]]
) -> tuple[str, str, dict[str, list[Module]]]:
    """(minor, version, wheel file name -> its compiled modules with their .pyc bytes)."""
    minor, version = minor_of(python)
    found: dict[str, list[Module]] = {}
    for name, wheel in wheels.items():
        sizes = compiled.setdefault(name, {}).get(version)
        if sizes is None:
            sizes = compiled[name][version] = compile_sizes(wheel, python, minor)
        with zipfile.ZipFile(wheel) as archive:
            entries = entries_of(archive)
        found[name] = [(e, s) for e, s in zip(entries, sizes, strict=True) if s is not None]
    return minor, version, found


def report(
    title: str,
    names: list[str],
    modules: dict[str, list[Module]],
    others: dict[str, int],
    coefficients: list[float],
    ratio: float,
) -> dict[str, list[float]]:
    """Print each wheel's errors under `title`; return them (file name -> [pyc, installed])."""
    print(f"{title}\n{'wheel':52} {'modules':>7} {'.pyc error':>10} {'installed':>10}")
    errors = {}
    for name in names:
        if not modules[name]:
            continue
        pyc, installed = wheel_errors(modules[name], others[name], coefficients, ratio)
        errors[name] = [round(pyc, 4), round(installed, 4)]
        print(f"{name[:52]:52} {len(modules[name]):7} {pyc:+10.1%} {installed:+10.1%}")
    return errors


def summary(errors: dict[str, list[float]]) -> dict[str, object]:
    return {
        "worst_pyc_error": max(abs(e[0]) for e in errors.values()),
        "mean_pyc_error": round(statistics.fmean(abs(e[0]) for e in errors.values()), 4),
        "worst_installed_error": max(abs(e[1]) for e in errors.values()),
        "wheels": errors,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, metavar="INTERPRETER")
    parser.add_argument("--out", type=Path, default=Path("data/pyc-model.json"))
    parser.add_argument("--downloads", type=Path, default=None)
    parser.add_argument("--compiled", type=Path, default=None)
    args = parser.parse_args()
    where = args.downloads or Path(tempfile.mkdtemp(prefix="pyc-fit-"))
    where.mkdir(parents=True, exist_ok=True)
    wheels = {url.rsplit("/", 1)[1]: download(url, sha, where)
              for url, sha in (*FIT_WHEELS, *HELD_OUT_WHEELS)}  # fmt: skip
    fit_names = [url.rsplit("/", 1)[1] for url, _ in FIT_WHEELS]
    held_names = [url.rsplit("/", 1)[1] for url, _ in HELD_OUT_WHEELS]
    others, ratios = {}, []
    for name, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            others[name] = sum(i.file_size for i in members if not compiled_member(i.filename))
            if name in fit_names:
                ratios += [e.compressed_size / e.uncompressed_size for e in entries_of(archive)
                           if e.method == zipfile.ZIP_DEFLATED and e.uncompressed_size]  # fmt: skip
    ratio = round(statistics.median(ratios), 4)
    compiled = (
        json.loads(args.compiled.read_text()) if args.compiled and args.compiled.exists() else {}
    )
    document = json.loads(args.out.read_text()) if args.out.exists() else {}
    fits = document.get("fits", {}) if document.get("schema_version") == 3 else {}
    for python in args.python:
        minor, version, modules = measured(wheels, python, compiled)
        if args.compiled:
            args.compiled.write_text(json.dumps(compiled) + "\n")
        rows = [(module_features(e, stored_ratio=ratio), pyc)
                for name in fit_names for e, pyc in modules[name]]  # fmt: skip
        coefficients = least_squares(rows)
        terms = ", ".join(f"{c:.4g} x {n}" for c, n in zip(coefficients, PYC_FEATURES, strict=True))
        print(f"Python {version}: pyc = {terms} over {len(rows)} modules")
        fitted = report("fit wheels", fit_names, modules, others, coefficients, ratio)
        held = report("held-out wheels", held_names, modules, others, coefficients, ratio)
        fits[minor] = {
            "python": version,
            "coefficients": [round(c, 6) for c in coefficients],
            "modules": len(rows),
            "not_compiled": sum(sum(s is None for s in compiled[n][version]) for n in fit_names),
            "fit": summary(fitted),
            "held_out": summary(held),
        }
    write(args.out, fits, ratio)
    return 0


def write(out: Path, fits: dict[str, object], ratio: float) -> None:
    document = {
        "schema_version": 3,
        "description": (
            "Bytes of the .pyc files CPython writes for a wheel's modules, from what its zip "
            "central directory says of each (no module is read): the sum over modules of "
            "coefficients . features, per Python minor version. Features: the module's "
            "source bytes, deflated bytes (stored members count at stored_deflate_ratio), "
            "1, the same three again for test code (test_*.py, *_test.py, conftest.py), and "
            "source bytes and 1 for the other modules of folders named tests, test or testing "
            "(fixtures, helpers, recorded results). Fitted on fit_wheels, checked on "
            "held_out_wheels (errors per wheel: .pyc total, installed total)."
        ),
        "method": "scripts/fit_pyc_model.py: weighted least squares over every compiled module",
        "features": list(PYC_FEATURES),
        "stored_deflate_ratio": ratio,
        "fit_wheels": [url for url, _ in FIT_WHEELS],
        "held_out_wheels": [url for url, _ in HELD_OUT_WHEELS],
        "fits": dict(sorted(fits.items(), key=lambda item: tuple(map(int, item[0].split("."))))),
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {out} ({', '.join(document['fits'])})")


if __name__ == "__main__":
    sys.exit(main())
