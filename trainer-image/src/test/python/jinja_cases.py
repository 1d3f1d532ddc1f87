"""Expected outputs of Jinja2 snippets under transformers' chat-template environment, for
JinjaChatTemplateTest. Run with the pyref venv (see README.md); writes
../resources/jinja/jinja2_cases.json."""
import json
import pathlib
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template
msgs=[{"role":"system","content":"  Be brief. "},{"role":"user","content":"Hi \"there\" 'x'\n"},{"role":"assistant","content":"<think>hm</think>Hello! 🙂"}]
cases = [
 "{{ messages[0]['role'] + '|' + messages[0].content }}",
 "[{{ messages[0]['content'].strip() }}][{{ messages[0].content | trim }}]",
 "{{ messages[1] | tojson }}",
 "{{ {'name': 'f', 'args': [1, 2.5, true, none], 'ü': 'é'} | tojson }}",
 "{{ {'b': 1, 'a': {'c': []}} | tojson(indent=2) }}",
 "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
 "{% set ns = namespace(n=0, last='') %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.n }} {{ ns.last }}",
 "{% for m in messages %}{{ loop.index0 }}:{{ loop.index }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %},{% endfor %}",
 "{{ messages[1:] | length }}|{{ messages[-1]['role'] }}|{% for m in messages[::-1] %}{{ m.role }} {% endfor %}",
 "{% if messages[2].content.startswith('<think>') %}S{% endif %}{% if messages[2].content.endswith(('x', '🙂')) %}E{% endif %}{{ messages[2].content.split('</think>')[-1] }}|{{ 'ABC'.lower() }}{{ 'x'.upper() }}|{{ ' a b  c '.split() | length }}|{{ 'xxhixx'.strip('x') }}|{{ 'a,b,,c'.split(',') | length }}",
 "{% if tools is defined and tools %}T{% else %}noT{% endif %}|{% if foo is not defined %}u{% endif %}|{% if messages[0].content is string %}s{% endif %}",
 "a\n  {% if true %}\n  b\n  {% endif %}\nc\n",
 "{%- for m in messages -%}\n  <{{ m.role }}>\n{%- endfor %}\n",
 "{{ 'a\\nb\\tc' }}|{{ \"q\\\"s\" }}|{{ 'it\\'s' }}|{{ '\\u00e9' }}",
 "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% endif %}{% endfor %}",
 "{{ 'x' if add_generation_prompt else 'y' }}{{ bos_token ~ '|' ~ eos_token }}",
 "{% if messages[0]['role'] == 'system' %}{% set sys = messages[0]['content'] %}{% set rest = messages[1:] %}{% else %}{% set sys = '' %}{% set rest = messages %}{% endif %}{{ sys | trim }}:{% for m in rest %}{{ m.role }};{% endfor %}",
 "{% for m in messages %}{% if m.role == 'user' %}{% continue %}{% endif %}{{ m.role }},{% endfor %}",
 "{{ (messages | selectattr('role', 'equalto', 'user') | list | length) }}{{ messages | map(attribute='role') | join(',') }}",
 "{% macro r(m) %}[{{ m.role }}]{% endmacro %}{% for m in messages %}{{ r(m) }}{% endfor %}",
 "{{ '<a>' + messages[0].content|trim + '</a>' }}",
 "{{ 'a\\\\b' }}|{{ \"c\\\\\\\"d\" }}",
 "x {% if true %}y{% endif %}\n  {# note #}\nz {{ 'w' }} {% if true %}v{% endif %}",
 "{% raw %}{{ not rendered }}{% endraw %}\nafter",
 "{%- if messages -%}\n  {{- messages | length -}}\n{%- endif %}\n\n",
 "{% for m in messages %}\n    {% if m.role == 'user' %}\n        U:{{ m.content | trim }}\n    {% endif %}\n{% endfor %}",
 "a  \n  {{- 'b' -}}  \n c|{{- 'd' }} e {{ 'f' -}}\n\n g|{{-'h'-}}|",
 "{%- for m in messages %}\n    {%- if m.role == 'user' %}\n        {{- '<u>' + m.role }}\n    {%- else %}\n        {{- '<' + m.role + '>' }}\n    {%- endif %}\n{%- endfor %}\n",
]
out=[]
for c in cases:
    t=_compile_jinja_template(c)
    out.append([c, t.render(messages=msgs, add_generation_prompt=True, bos_token="<s>", eos_token="</s>")])
doc = {"doc": "[template, expected output] rendered by transformers' _compile_jinja_template with messages=MESSAGES, add_generation_prompt=True, bos_token='<s>', eos_token='</s>'", "transformers": transformers.__version__, "messages": msgs, "cases": out}
target = pathlib.Path(__file__).parent.parent / "resources" / "jinja" / "jinja2_cases.json"
target.parent.mkdir(exist_ok=True)
target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
